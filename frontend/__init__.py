"""Server-rendered pages (Jinja2) for job-seekers and counsellors; the top of the import graph."""
