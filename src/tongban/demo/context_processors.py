from django.core.cache import cache

from tongban.demo.models import DemoDataset

CACHE_KEY = "tongban:demo-data-loaded"


def demo_data(request):
    loaded = cache.get(CACHE_KEY)
    if loaded is None:
        loaded = DemoDataset.objects.exists()
        cache.set(CACHE_KEY, loaded, 60)
    return {"demo_data": loaded}
