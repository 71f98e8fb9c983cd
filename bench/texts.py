"""Comment bodies and pseudonyms for the seeded discussion: a fixed bank, a seeded random."""

from __future__ import annotations

import random

SENTENCES = (
    "Je ne suis pas surpris par cette décision, elle était prévisible depuis des mois.",
    "Couper l'accès d'un concurrent à son API, c'est surtout un aveu de faiblesse.",
    "Il faudrait lire les conditions d'utilisation avant de crier au scandale.",
    "Les deux entreprises se disputent les mêmes clients, rien de nouveau sous le soleil.",
    "Qui vérifie réellement ce que font ces modèles une fois déployés ?",
    "On parle de sécurité, mais la question de fond reste commerciale.",
    "Cet article manque de sources indépendantes sur les raisons de la coupure.",
    "J'utilise les deux services au travail et je n'ai vu aucune différence.",
    "La concurrence entre laboratoires finit toujours par profiter aux utilisateurs.",
    "Ce genre de querelle montre à quel point le secteur reste fragile.",
    "Pourquoi personne ne pose la question de la dépendance des petites entreprises ?",
    "Le régulateur européen devrait s'intéresser de près à ces pratiques.",
    "Franchement, je trouve la réaction des uns et des autres disproportionnée.",
    "Il y a une vraie question éthique derrière l'utilisation des données d'un rival.",
    "Le titre est un peu racoleur, le fond de l'affaire est plus nuancé.",
    "Merci pour ce résumé clair, j'avais raté l'information la semaine dernière.",
    "Les contrats entre géants de la technologie ne sont jamais rendus publics.",
    "Dans six mois, plus personne ne se souviendra de cette histoire.",
    "Je me demande ce qu'en pensent les développeurs qui avaient bâti leurs outils dessus.",
    "On attend toujours une réponse officielle et détaillée de la part d'OpenAI.",
    "C'est la loi du marché : on ne fournit pas d'armes à son adversaire.",
    "Ce n'est pas la première fois qu'une entreprise ferme brutalement son interface.",
    "Les utilisateurs finaux sont, comme d'habitude, les derniers informés.",
    "Je serais curieux de connaître les volumes de requêtes en jeu.",
    "Une telle décision aurait dû être annoncée avec un préavis raisonnable.",
    "Le débat sur l'ouverture des modèles revient encore une fois sur la table.",
    "À mon avis, cela ne changera rien aux parts de marché des uns et des autres.",
    "Il est sain qu'un fournisseur fasse respecter ses propres règles.",
    "Le vrai problème, c'est l'absence de standard commun entre ces services.",
    "J'aimerais que la rédaction suive cette affaire dans les semaines qui viennent.",
    "Les comparatifs publiés par les entreprises elles-mêmes ne valent pas grand-chose.",
    "Voilà qui devrait faire réfléchir ceux qui misent tout sur un seul fournisseur.",
)

FIRST_NAMES = (
    "Camille",
    "Julien",
    "Sophie",
    "Karim",
    "Léa",
    "Thomas",
    "Inès",
    "Nicolas",
    "Chloé",
    "Mathieu",
    "Amina",
    "Pierre",
    "Élodie",
    "Youssef",
    "Claire",
    "Antoine",
    "Manon",
    "Hugo",
)
PLACES = ("Lyon", "Brest", "Lille", "Nantes", "Dijon", "Metz", "Pau", "Nice", "Caen", "Rouen")


def pseudonym(number: int) -> str:
    """A distinct, valid reader name for reader `number` (one reader per name)."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    place = PLACES[(number // len(FIRST_NAMES)) % len(PLACES)]
    return f"{first} de {place} {number}"


def comment_body(rng: random.Random) -> str:
    """Return the source of a body of 1 to 8 sentences, in one or two paragraphs."""
    sentences = rng.choices(SENTENCES, k=rng.randint(1, 8))
    cut = rng.randint(1, len(sentences) - 1) if len(sentences) > 3 else len(sentences)
    return "\n\n".join(" ".join(part) for part in (sentences[:cut], sentences[cut:]) if part)
