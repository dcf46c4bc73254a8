"""Named errors. What a user or an operator got wrong is one of these, with a message fit to show."""


class CrsError(Exception):
    """Base class: a problem we can explain to the person who caused it."""


class PackError(CrsError):
    """A pack cannot be used: missing manifest or file, or no usable rows left."""


class IndexNotBuilt(CrsError):
    """The vector index or a model for a pack is missing or stale; the message names the command to build it."""


class IndexUnreadable(IndexNotBuilt):
    """The vector store's files are there but cannot be read (corrupt, or written by an incompatible version)."""


class StoreUnreachable(CrsError):
    """The Chroma server configured cannot be reached."""
