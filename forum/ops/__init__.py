"""Operations: the health check load balancers and orchestrators poll."""
