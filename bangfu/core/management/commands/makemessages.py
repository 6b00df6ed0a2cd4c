from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages without msgmerge's fuzzy matching.

    Fuzzy matching guesses a translation for a new string from a similar old one (性别 was given
    the English of 级别); a wrong guess is worse than an empty entry, which the catalog test
    reports.
    """

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
