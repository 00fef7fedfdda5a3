/* The business-case page: a case as JSON, POSTed to /api/business/case and /api/business/optimal-accuracy
   (the functions `dlcost business case` and `optimal-accuracy` call); the bill as a table, a waterfall of
   the net present value, the cumulative discounted cash and the accuracy sweep. */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  function usd(value) {
    if (value === null || value === undefined) return "–";
    var digits = Math.abs(value) < 100 ? 2 : 0;
    return (value < 0 ? "-$" : "$") + Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function setState(state) { $("results").dataset.state = state; }

  function showError(message) {
    $("case-error").textContent = message;
    $("case").setAttribute("aria-invalid", message ? "true" : "false");
  }

  function readCase() {
    try {
      return JSON.parse($("case").value);
    } catch (error) {
      showError("case must be JSON: " + error.message);
      return null;
    }
  }

  function post(path, body) {
    return fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (document) {
          if (response.ok) return document;
          var problem = (document.detail && document.detail[0]) || {};
          throw new Error((problem.field ? problem.field + ": " : "") + (problem.msg || response.statusText));
        });
      });
  }

  function loadExample() {
    fetch("/api/business/examples").then(function (r) { return r.json(); }).then(function (examples) {
      var chosen = examples[$("example").value];
      $("case").value = JSON.stringify(chosen, null, 2);
      showError("");
    });
  }

  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (text, index) {
      var cell = document.createElement(index === 0 ? "th" : "td");
      if (index === 0) cell.setAttribute("scope", "row");
      cell.textContent = text;
      tr.appendChild(cell);
    });
    return tr;
  }

  function showCase(result) {
    $("decision").textContent = result.name + ": " + result.decision.toUpperCase() + " (NPV " + usd(result.npv) + ")";
    var reasons = $("reasons");
    reasons.textContent = "";
    result.reasons.forEach(function (reason) {
      var item = document.createElement("li");
      item.textContent = reason;
      reasons.appendChild(item);
    });
    var body = $("bill").querySelector("tbody");
    body.textContent = "";
    body.appendChild(row(["One-off", usd(result.one_off_cost), ""]));
    result.one_off_lines.forEach(function (line) { body.appendChild(row(["  " + line.item, usd(line.amount_usd), line.source])); });
    body.appendChild(row(["Recurring a year", usd(result.annual_recurring_cost), ""]));
    result.recurring_lines.forEach(function (line) { body.appendChild(row(["  " + line.item, usd(line.amount_usd), line.source])); });
    body.appendChild(row(["Benefit a year", usd(result.annual_benefit), result.benefit_source]));
    $("bill-box").hidden = false;
    if (!window.Plotly) return;
    var factor = result.annuity_factor;  // present value of $1 a year over the horizon
    var labels = ["one-off"].concat(["recurring (PV)", "benefit (PV)", "NPV"]);
    var values = [-result.one_off_cost, -result.annual_recurring_cost * factor, result.annual_benefit * factor, 0];
    Plotly.newPlot("waterfall", [{ type: "waterfall", x: labels, y: values, measure: ["relative", "relative", "relative", "total"] }],
      { title: { text: "Net present value over " + result.horizon_years + " years" }, yaxis: { title: { text: "USD" } }, margin: { t: 40 } },
      { displayModeBar: false, responsive: true });
    Plotly.newPlot("npv-time", [{ x: result.npv_by_year.map(function (_, year) { return year; }), y: result.npv_by_year, mode: "lines+markers" }],
      { title: { text: "Cumulative discounted cash" }, xaxis: { title: { text: "year" } }, yaxis: { title: { text: "USD" } }, margin: { t: 40 } },
      { displayModeBar: false, responsive: true });
  }

  function showSweep(result) {
    $("optimum").textContent = "Target accuracy worth paying for: " + (100 * result.optimal_target_accuracy).toFixed(1) +
      "% (NPV " + usd(result.optimal_npv) + ", " + result.optimal_architecture + ")";
    $("sweep-box").hidden = false;
    if (!window.Plotly) return;
    var x = result.sweep.map(function (r) { return 100 * r.target_accuracy; });
    var traces = [{ x: x, y: result.sweep.map(function (r) { return r.npv; }), name: "NPV", mode: "lines+markers" }];
    if (result.sweep[0].npv_low !== null && result.sweep[0].npv_low !== undefined) {
      traces.push({ x: x, y: result.sweep.map(function (r) { return r.npv_high; }), name: "range, high", line: { dash: "dot" } });
      traces.push({ x: x, y: result.sweep.map(function (r) { return r.npv_low; }), name: "range, low", line: { dash: "dot" } });
    }
    Plotly.newPlot("sweep-chart", traces, { title: { text: "NPV against the target accuracy" }, xaxis: { title: { text: "target accuracy (%)" } },
      yaxis: { title: { text: "USD" } }, margin: { t: 40 } }, { displayModeBar: false, responsive: true });
  }

  function run(path, show) {
    var body = readCase();
    if (body === null) { setState("error"); return; }
    showError("");
    setState("busy");
    post(path, body).then(function (result) { show(result); setState("done"); })
      .catch(function (error) { showError(error.message); setState("error"); });
  }

  function save() {
    var body = readCase(), name = $("save-name").value.trim();
    if (body === null) { setState("error"); return; }
    if (!name) { showError("name: give the case a name to save it under."); setState("error"); return; }
    showError("");
    setState("busy");
    fetch("/api/business/cases/" + encodeURIComponent(name) + ($("save-replace").checked ? "?replace=true" : ""),
          { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (document) {
          if (!response.ok) {
            var problem = (document.detail && document.detail[0]) || {};
            throw new Error((problem.field ? problem.field + ": " : "") + (problem.msg || response.statusText));
          }
          showCase(document);
          $("saved").textContent = "Saved as " + name + " (dlcost business show " + name + ").";
          setState("done");
        });
      })
      .catch(function (error) { showError(error.message); setState("error"); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("save").addEventListener("click", save);
    $("example").addEventListener("change", loadExample);
    $("case-form").addEventListener("submit", function (event) { event.preventDefault(); run("/api/business/case", showCase); });
    $("sweep").addEventListener("click", function () { run("/api/business/optimal-accuracy", showSweep); });
    loadExample();
  });
})();
