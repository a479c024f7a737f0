"""One exception type for bad input: the CLI prints its message as one line and exits non-zero."""


class DecoderHeadError(Exception):
    """A user-facing error (missing data, malformed file, mismatched shapes).

    Raise it with a message that says what is wrong and, where possible, how to fix it;
    the CLI turns it into one line on stderr and exit code 2, never a traceback.
    """
