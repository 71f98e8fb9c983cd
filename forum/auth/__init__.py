"""Staff sign-in: login, logout and the sessions behind them."""
