// smmgen preview: the post list's filters, and live updates while `smmgen serve` runs.
// Everything works without it (the server filters too); nothing is loaded from elsewhere.
(function () {
  "use strict";

  function applyFilters() {
    var form = document.querySelector("[data-filters]");
    if (!form) return;
    var want = {};
    ["channel", "campaign", "person", "status"].forEach(function (name) {
      want[name] = form.elements[name].value;
    });
    var rows = document.querySelectorAll("tr[data-post]");
    var shown = 0;
    rows.forEach(function (row) {
      var ok = true;
      if (want.campaign && row.dataset.campaign !== want.campaign) ok = false;
      if (ok && want.person && row.dataset.people.split(" ").indexOf(want.person) < 0) ok = false;
      if (ok && (want.channel || want.status)) {
        ok = row.dataset.pairs.split(" ").some(function (pair) {
          var at = pair.lastIndexOf(":");
          var channel = pair.slice(0, at), status = pair.slice(at + 1);
          return (!want.channel || channel === want.channel) && (!want.status || status === want.status);
        });
      }
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    var count = document.querySelector("[data-count]");
    if (count) count.textContent = shown + " of " + rows.length + " posts";
  }

  function readQuery() {
    var form = document.querySelector("[data-filters]");
    if (!form) return;
    var query = new URLSearchParams(location.search);
    ["channel", "campaign", "person", "status"].forEach(function (name) {
      if (query.has(name)) form.elements[name].value = query.get(name);
    });
    form.addEventListener("change", function () {
      var params = new URLSearchParams();
      ["channel", "campaign", "person", "status"].forEach(function (name) {
        if (form.elements[name].value) params.set(name, form.elements[name].value);
      });
      var search = params.toString();
      history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
      applyFilters();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    applyFilters();
  }

  function live(url) {
    var status = document.querySelector("[data-live-status]");
    var source = new EventSource(url);
    var busy = false, again = false;

    async function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      try {
        var response = await fetch(location.href, { cache: "no-store" });
        var text = await response.text();
        var next = new DOMParser().parseFromString(text, "text/html");
        var main = next.querySelector("main");
        var focused = document.activeElement && document.activeElement.name;
        var values = {};
        document.querySelectorAll("[data-filters] select").forEach(function (s) { values[s.name] = s.value; });
        if (main) {
          document.querySelector("main").replaceWith(document.adoptNode(main));
          document.title = next.title;
          document.querySelectorAll("[data-filters] select").forEach(function (s) {
            if (values[s.name] !== undefined) s.value = values[s.name];
          });
          readQuery();
          if (focused) {
            var again_ = document.querySelector("[data-filters] [name='" + focused + "']");
            if (again_) again_.focus();
          }
          document.body.dataset.version = main.dataset.version;
          document.dispatchEvent(new CustomEvent("smmgen:updated", { detail: main.dataset.version }));
        }
      } finally {
        busy = false;
        if (again) { again = false; refresh(); }
      }
    }

    source.addEventListener("change", function (event) {
      var change = JSON.parse(event.data);
      var page = document.querySelector("main").dataset.page;
      var affected = change.pages.some(function (p) {
        return p === "*" || p === page || (p.slice(-1) === "/" && page.indexOf(p) === 0);
      });
      if (affected) refresh();
    });
    source.addEventListener("open", function () { if (status) status.textContent = "live"; });
    source.addEventListener("error", function () { if (status) status.textContent = "reconnecting…"; });
  }

  readQuery();
  if (document.body.dataset.live) {
    // the page's version: a change made before the stream opened is told at once
    live(document.body.dataset.live + "?since=" + document.body.dataset.version);
  }
})();
