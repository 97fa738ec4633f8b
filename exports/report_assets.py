"""Inline CSS and JavaScript of the HTML report (no external resources)."""

from __future__ import annotations

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-alt: #f6f8fa;
        --accent: #0b5cad; --warn: #9a6700; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); margin: 0 auto; max-width: 1180px; padding: 0 1.2rem 4rem; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 0 0 .3rem; }
nav a { margin-right: 1rem; }
a { color: var(--accent); }
.muted, .slug { color: var(--muted); }
.slug { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.note { background: #fff8c5; border-left: 4px solid var(--warn); padding: .4rem .7rem;
        margin: .6rem 0; }
.scale { font-weight: 600; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .55rem; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: var(--bg-alt); }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th::after { content: " \\2195"; color: var(--muted); }
table.sortable th[aria-sort="ascending"]::after { content: " \\2191"; color: var(--fg); }
table.sortable th[aria-sort="descending"]::after { content: " \\2193"; color: var(--fg); }
.table-wrap { max-height: 70vh; overflow: auto; border: 1px solid var(--line); }
.table-wrap table { margin: 0; width: 100%; }
.table-wrap thead th { position: sticky; top: 0; background: #fff; }
section.occupation { border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem;
                     margin: 1.2rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
           margin: .5rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
img.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
.panels { margin: .5rem 0; }
.panels img.chart { margin: 0; }  /* panels of one occupation: stacked, no gap */
/* a layer drawn over a chart (calibrated marks): same frame, scaled with the picture */
.layered { position: relative; width: fit-content; max-width: 100%; }
.layered svg.layer { position: absolute; left: 0; top: 0; width: 100%; height: 100%;
                     pointer-events: none; overflow: visible; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: 12px;
         border: 1px solid var(--line); background: var(--bg-alt); }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
         gap: 0 1.5rem; }
"""

# Click a header of a table.sortable to sort by that column; click again to reverse.
# Cells may carry data-sort (the value to sort by); th.num columns sort numerically,
# with empty values last.
JS = """
(function () {
  function key(cell, numeric) {
    var raw = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent;
    if (!numeric) { return raw.trim().toLowerCase(); }
    var v = parseFloat(raw);
    return isNaN(v) ? null : v;
  }
  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.classList.contains('num');
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
      if (x === y) { return 0; }
      if (x === null || x === '') { return 1; }
      if (y === null || y === '') { return -1; }
      return (x < y ? -1 : 1) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(th.parentNode.children, function (other) {
      other.removeAttribute('aria-sort');
    });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.setAttribute('tabindex', '0');
      th.addEventListener('click', function () { sortBy(table, th); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th); }
      });
    });
  });
})();
"""
