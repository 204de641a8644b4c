"""Revenue (penerimaan): realisation against the target trajectory, year on year, projection, contributors."""
