import os
import sys

# The rules package is imported on its own, without Odoo and without the addon.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
