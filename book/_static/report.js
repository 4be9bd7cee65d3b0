// The report's script: data tables readers can use, and a fix for the theme's sidebar toggle.
// Served by the site itself; it reads the tables as Sphinx wrote them (escaped text, citation
// links) and never builds markup from their text: only textContent and DOM nodes.
(function () {
  "use strict";

  // ---- theme mode ----------------------------------------------------------------------------
  // The theme's inline script sets data-mode from localStorage, "" on a first visit, and its own
  // script then logs "Got invalid theme mode" as an error. This runs before it (both deferred).
  if (!document.documentElement.dataset.mode) document.documentElement.dataset.mode = "auto";

  // ---- sidebar toggles ------------------------------------------------------------------------
  // pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 bind only the first .primary-toggle
  // (pydata/pydata-sphinx-theme#2451), which is in a header the book theme hides; the visible
  // button in the article header did nothing. A click on any other toggle clicks the bound one.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".primary-toggle, .secondary-toggle");
    if (!button) return;
    var kind = button.classList.contains("primary-toggle") ? ".primary-toggle" : ".secondary-toggle";
    var bound = document.querySelector(kind);
    if (bound && bound !== button) {
      event.preventDefault();
      event.stopPropagation();
      bound.click();
    }
    button.blur();
  }, true);
  // Their tooltips stayed up after a click and covered the search button: the buttons are
  // labelled, so the tooltips go.
  window.addEventListener("load", function () {
    if (!window.bootstrap || !window.bootstrap.Tooltip) return;
    document.querySelectorAll(".primary-toggle[data-bs-toggle], .secondary-toggle[data-bs-toggle]").forEach(function (b) {
      var tip = window.bootstrap.Tooltip.getInstance(b);
      if (tip) tip.dispose();
      b.removeAttribute("data-bs-toggle");
    });
  });

  // ---- data tables ------------------------------------------------------------------------------
  var MAX_CHOICES = 40;       // a column with more distinct values gets no drop-down
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var tableCount = 0;

  function text(node) { return node.textContent.replace(/\s+/g, " ").trim(); }

  function element(tag, props, children) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "text") el.textContent = props[k];
      else el.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) { el.appendChild(c); });
    return el;
  }

  function enhance(table) {
    var n = ++tableCount;
    var headRow = table.tHead && table.tHead.rows[0];
    var body = table.tBodies[0];
    if (!headRow || !body) return;
    var headers = Array.prototype.map.call(headRow.cells, text);
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, i) { cell.setAttribute("data-label", headers[i] || ""); });
    });

    // filters: a search box; a drop-down per column with few distinct values; years of a Date column
    var filters = [];
    // one search landmark per table, each with its own name (axe: landmark-unique)
    var tools = element("div", { "class": "table-tools", role: "search", "aria-label": "Filter table " + n });
    var search = element("input", { type: "search", id: "table-" + n + "-search", placeholder: "Search" });
    tools.appendChild(element("label", { "for": search.id, text: "Search " }, [search]));
    headers.forEach(function (header, col) {
      var values = rows.map(function (r) { return r.cells[col] ? text(r.cells[col]) : ""; });
      var isDate = /^date$/i.test(header) && values.every(function (v) { return /^\d{4}/.test(v) || v === ""; });
      var key = isDate ? function (v) { return v.slice(0, 4); } : function (v) { return v; };
      var distinct = Array.from(new Set(values.map(key))).filter(Boolean).sort(collator.compare);
      var short = values.every(function (v) { return v.length <= 30; });
      if (short || isDate) {   // shrinks to its longest word
        headRow.cells[col].classList.add("narrow");
        rows.forEach(function (r) { if (r.cells[col]) r.cells[col].classList.add("narrow"); });
      }
      if (col === 0 || distinct.length < 2 || distinct.length > MAX_CHOICES || (!short && !isDate)) return;
      var select = element("select", { id: "table-" + n + "-col-" + col });
      select.appendChild(element("option", { value: "", text: "all" }));
      distinct.forEach(function (v) { select.appendChild(element("option", { value: v, text: v })); });
      tools.appendChild(element("label", { "for": select.id, text: (isDate ? "Year" : header) + " " }, [select]));
      filters.push({ col: col, select: select, key: key });
    });
    var status = element("output", { "aria-live": "polite", "class": "table-count" });
    tools.appendChild(status);
    var reset = element("button", { type: "button", text: "Show all" });
    tools.appendChild(reset);
    var wrapper = table.closest(".pst-scrollable-table-container") || table;
    wrapper.parentNode.insertBefore(tools, wrapper);

    function apply() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var ok = filters.every(function (f) {
          return !f.select.value || (row.cells[f.col] && f.key(text(row.cells[f.col])) === f.select.value);
        });
        if (ok && words.length) {
          var all = text(row).toLowerCase();
          ok = words.every(function (w) { return all.indexOf(w) >= 0; });
        }
        row.hidden = !ok;
        if (ok) shown++;
      });
      status.textContent = shown === rows.length ? rows.length + " rows" : "Showing " + shown + " of " + rows.length + " rows";
    }
    search.addEventListener("input", apply);
    filters.forEach(function (f) { f.select.addEventListener("change", apply); });
    reset.addEventListener("click", function () { clear(); });
    function clear() {
      search.value = "";
      filters.forEach(function (f) { f.select.value = ""; });
      apply();
    }
    table.clearFilters = clear;

    // sorting: each header is a button; aria-sort says the order
    Array.prototype.forEach.call(headRow.cells, function (th, col) {
      var button = element("button", { type: "button", "class": "sort", title: "Sort by this column" });
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headRow.cells, function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.slice().sort(function (a, b) {
          var x = a.cells[col] ? text(a.cells[col]) : "", y = b.cells[col] ? text(b.cells[col]) : "";
          return (ascending ? 1 : -1) * collator.compare(x, y);
        }).forEach(function (row) { body.appendChild(row); });
      });
    });
    apply();
  }

  // A link to a row (#ro-056) shows the row even if a filter hid it.
  function showTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var row = id && document.getElementById(id);
    if (!row || row.tagName !== "TR") return;
    var table = row.closest("table");
    if (row.hidden && table && table.clearFilters) table.clearFilters();
    // to the start, so that the row's scroll-margin-top (report.css) keeps it below the sticky heads
    row.scrollIntoView({ block: "start" });
  }

  function init() {
    document.querySelectorAll("table.data-table").forEach(enhance);
    showTarget();
  }
  window.addEventListener("hashchange", showTarget);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
