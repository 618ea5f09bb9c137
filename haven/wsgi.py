import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
application = get_wsgi_application()

# What start-up loaded (modules, models, settings) lives as long as the process: the collector need not walk
# it again. A page makes thousands of short-lived objects, so collect the youngest generation less often.
# Together about a tenth of a page's CPU (docs/DEVELOPING.md, Speed).
gc.collect()
gc.freeze()
gc.set_threshold(7000, 10, 10)
