"""China's administrative divisions (shipped data) and the jurisdiction skeleton built from them."""
