"""The word lists of the byline name model (bylines.py): roles, desks and outlets, months and
weekdays, credits for other work, lead words, name particles."""

from __future__ import annotations


def words(*lines: str) -> frozenset[str]:
    """The words of some lines of text, as a set (word lists written as prose)."""
    return frozenset(" ".join(lines).split())


# Words that make a byline part a role, a desk or an outlet rather than a name. The name before
# them is kept ("Jane Doe News reporter" gives "Jane Doe"); before a name, they are dropped
# ("Senior Reporter Jane Doe", "Ein Kommentar von Jane Doe" give "Jane Doe").
ROLE_WORDS = words(
    # roles, desks and sections
    "reporter reporters correspondent correspondents editor editors writer writers staff contributor "
    "contributors contributing columnist columnists journalist journalists author authors producer analyst "
    "team desk newsroom news business politics political technology tech health science sport sports "
    "economics economy world opinion senior chief deputy associate special foreign international national "
    "local agency agencies press wire wires bureau service media online digital edition guest admin administrator "
    "username user anonymous unknown webmaster editorial photographer illustrator intern freelance "
    "freelancer managing executive assistant director host presenter anchor blogger commentator critic "
    "researcher professor report release experte expertin expert experts rechtsanwalt rechtsanwältin anwalt "
    "anwältin auteur auteure autore autrice autor autorin "
    # the same in other languages of European news
    "redakteur redakteurin korrespondent korrespondentin reporterin journalistin fotograf fotografin "
    "chefredakteur chefredakteurin herausgeber herausgeberin mitarbeiter mitarbeiterin volontär volontärin "
    "gastautor gastautorin pressemitteilung pressesprecher pressesprecherin "
    "redactor redactora corresponsal periodista enviado enviada columnista fotógrafo fotógrafa "
    "journaliste rédacteur rédactrice correspondant correspondante envoyé envoyée chroniqueur chroniqueuse "
    "giornalista inviato inviata corrispondente redattore redattrice "
    # desks and newsrooms, company forms: an outlet, not a person
    "redaktion redacción redaccion rédaction redazione redactie redakcja gmbh ag inc inc. ltd llc corp co. "
    "austria germany deutschland foundation stiftung verlag zeitung magazin magazine verband e.v. "
    "nachrichten tagblatt tageblatt rundschau anzeiger kurier noticias diario gazette gazzetta corriere "
    "journal times tribune herald chronicle courier union anstalt institut institute kreuz verein "
    "gesellschaft akademie universität university hochschule ministerium ministry eg deutsches "
    "photo foto fotos photos bild bilder quelle source dpa afp ap reuters epd kna apa sda ansa efe "
    # user-interface words glued to a name
    "share teilen follow folgen email e-mail mail twitter facebook instagram linkedin profile profil more "
    "mehr view read contact kontakt bio subscribe abonnieren print drucken comments kommentare "
    "sponsored gesponsert gesponserte inhalte anzeige advertisement werbung "
)
# Months and weekdays: a date glued to a name, cut like a role after a name's first word, never as its
# first word ("April Glaser", "Juli Clover", "June Carter"; "May" and "Mai": see MONTH_ABBREVIATIONS).
CALENDAR_WORDS = words(
    "january february march april june july august september october november december "
    "januar februar märz juni juli oktober dezember "
    "monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag freitag "
    "samstag sonntag",
)
# Words that open a credit for something else than the article: "Foto: Jane Doe", "Quelle: dpa".
CREDIT_WORDS = words(
    "photo photos photograph photographs photography foto fotos bild bilder quelle source sources illustration "
    "illustrations grafik graphic "
    "graphics video kamera camera image images picture pictures crédit crédits credit credits "
    "übersetzung übersetzt übersetzer übersetzerin translation translated translator traduction traducción "
    "traduzione",
)
# Words that open a byline before its "by"/"von" and are not names: "Ein Kommentar von Jane Doe".
LEAD_WORDS = words(
    "a an ein eine einer analysis analyse commentary kommentar gastkommentar gastbeitrag beitrag column "
    "kolumne essay interview bericht reportage story article artikel post posts meinung blog blogbeitrag "
    "beiträge beitrage articles artikel news nachricht rezept recipe receta recette erstellt verfasst "
    "geschrieben gepostet eingestellt publiziert written posted published created in",
)
# Words that open the name of an outlet, never a person's: "The Guardian", "La Repubblica", "Le Monde".
DETERMINERS = words("the der die das il lo la le les los las el het")
# Month names and abbreviations dropped before a day or a year: "Jane Doe May 3, 2022".
MONTH_ABBREVIATIONS = words(
    "jan feb mar apr may jun jul aug sep sept oct nov dec mai mär okt dez "
    "january february march april june july august september october november december",
)
# German-style compounds of a desk or role word: "Webteam", "Sportredaktion", "Lokalredakteur".
ROLE_SUFFIXES = (
    "team",
    "redaktion",
    "redakteur",
    "redakteurin",
    "korrespondent",
    "korrespondentin",
    "leiter",
    "leiterin",
    "institut",
    "verband",
    "verein",
    "vorsitzender",
    "vorsitzende",
    "präsident",
    "präsidentin",
    "geschäftsführer",
    "geschäftsführerin",
)
# Words of a sentence or a phrase, never of a name ("Zum Profil", "Seit 2010 ...", "About the author").
SENTENCE_WORDS = words(
    "is was are has have covers writes wrote lives based zum zur vom beim seit über unter nach "
    "the of about with this that "
    # a letter's closing formula, never a name ("Best Regards<br>The Team")
    "regards grüße grüßen sincerely cordially cordialement saludos saluti",
)
# Name particles written in lower case ("Ludwig van Beethoven", "Abu al-Hassan").
PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "ten",
        "ter",
        "zu",
        "y",
    ]
)
