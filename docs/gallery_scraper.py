"""An image scraper for the examples gallery (sphinx-gallery)."""

from matplotlib.figure import Figure
from sphinx_gallery.scrapers import figure_rst


def figure_scraper(block, block_vars, gallery_conf):
    """Save the figures that an example's code block made without pyplot.

    sksynth's plot functions return :class:`matplotlib.figure.Figure` objects
    that pyplot does not track, so sphinx-gallery's matplotlib scraper misses
    them; this one finds them among the example's variables. Figures made with
    pyplot are left to the matplotlib scraper.
    """
    shown = block_vars.setdefault("sksynth_figures_shown", set())
    paths = []
    for value in list(block_vars["fake_main"].__dict__.values()):
        if isinstance(value, Figure) and id(value) not in shown:
            shown.add(id(value))
            if value.canvas.manager is not None:
                continue
            path = next(block_vars["image_path_iterator"])
            value.savefig(path)
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
