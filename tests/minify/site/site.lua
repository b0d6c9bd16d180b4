title = "Minify test"
base_url = "https://example.org/"
timezone = "UTC"
minify = true
