"""The drawing kit behind the offline ``sketch`` image provider: look, framing, scenery, figures.

Everything here is pure Pillow/NumPy drawing with no I/O, so the same inputs always give the
same pixels.
"""
