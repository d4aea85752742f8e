"""The web app: FastAPI app factory, REST API (``api/``), server-rendered pages (``pages/``), templates,
vendored static assets and the Chinese/English message catalogue."""
