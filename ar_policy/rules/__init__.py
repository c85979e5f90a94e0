"""Credit and collections rules as plain Python, without Odoo.

The models gather figures in bulk, call these functions and write the results back;
the rules stay readable, and testable without a database, in one place.
Only relative imports here: the package is also imported on its own by the pure tests.
"""
