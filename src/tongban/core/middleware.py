from tongban.core.revisions import revisions_read_once


def read_revisions_once(get_response):
    """A request reads the cache revisions once, in one round trip, however many caches it uses."""

    def middleware(request):
        with revisions_read_once():
            return get_response(request)

    return middleware
