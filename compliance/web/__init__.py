"""HTTP plumbing every blueprint shares: the reader's language, template helpers, security
headers, problem+json answers, error pages and the page cache. Never imports a page or the API."""
