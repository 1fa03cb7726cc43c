"""What gunicorn and `flask --app wsgi` load. Web workers never start the scheduler."""
from factory import create_app

app = create_app()
