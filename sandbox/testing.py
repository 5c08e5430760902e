"""pytest fixtures that run the sandbox as a live Dailymotion for end-to-end tests (placeholder)."""
