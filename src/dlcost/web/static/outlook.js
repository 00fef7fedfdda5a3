/* The Outlook page (issue 14, seed 003): Figure 4 from /api/limits/table, a target-error slider answered by
   /api/limits/project, the estimator's scenario priced by /api/limits/curve and the section 2 simulation from
   /api/limits/simulate: the functions `dlcost limits table|project|curve|simulate` call. No formula lives here. */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }
  var table = null;      // /api/limits/table
  var projection = null; // the last /api/limits/project answer
  var sequence = 0;

  /** A log10 value as "1.2 × 10^18" (every number shown is finite: the server caps the exponents). */
  function power(log10Value, unit) {
    var exponent = Math.floor(log10Value);
    var mantissa = Math.pow(10, log10Value - exponent);
    if (mantissa >= 9.95) { mantissa = 1; exponent += 1; }
    var text = exponent >= -2 && exponent <= 5
      ? Math.pow(10, log10Value).toLocaleString("en-US", { maximumSignificantDigits: 3 })
      : mantissa.toFixed(1) + " × 10^" + exponent;
    return text + (unit ? " " + unit : "");
  }

  function usd(value) { return "$" + Math.round(value).toLocaleString("en-US"); }

  function setState(state) { $("results").dataset.state = state; }

  function request(method, path, body) {
    var options = { method: method, headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().then(function (document) {
        if (response.ok) return document;
        var problem = (document.detail && document.detail[0]) || {};
        throw new Error((problem.field ? problem.field + ": " : "") + (problem.msg || response.statusText));
      });
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

  function list(id, items) {
    var element = $(id);
    element.textContent = "";
    items.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      element.appendChild(item);
    });
  }

  function targetError() { return Math.pow(10, Number($("target-slider").value)); }

  function showTarget() {
    var error = targetError();
    $("target-value").textContent = (100 * error).toPrecision(3) + "%";
  }

  function fillFigure4() {
    var body = $("figure4").querySelector("tbody");
    body.textContent = "";
    table.figure4.forEach(function (cell) {
      var printed = cell.printed.map(function (v) { return String(v); }).join(" / ");
      var reproduced = cell["figure-4"].map(function (v) { return v.toFixed(1); }).join(" / ");
      var fromTable = cell.table.map(function (v) { return v.toFixed(1); }).join(" / ") + (cell.table_within_one_order ? "" : " (misses)");
      body.appendChild(row([table.benchmarks[cell.benchmark].label, String(cell.error), cell.form, printed, reproduced, fromTable]));
    });
  }

  function layout(title, xTitle, yTitle) {
    return { title: { text: title, font: { size: 14 } }, margin: { t: 40, r: 10, b: 50, l: 60 }, height: 340,
      xaxis: { title: { text: xTitle }, type: "log", exponentformat: "power" },
      yaxis: { title: { text: yTitle }, type: "log", exponentformat: "power" }, legend: { font: { size: 10 } } };
  }

  function drawBenchmarks() {
    if (!window.Plotly || !table) return;
    var benchmark = $("benchmark").value, form = $("form").value;
    var traces = table.curves.filter(function (curve) { return curve.form === form; }).map(function (curve) {
      return { x: curve.log10_computation_gflops.map(function (v) { return Math.pow(10, v); }), y: curve.error,
        mode: "lines", name: curve.label, line: { width: curve.benchmark === benchmark ? 3 : 1 } };
    });
    if (projection && projection.computation_gflops !== null) {
      traces.push({ x: [projection.computation_gflops], y: [projection.target_error], mode: "markers", name: "your target",
        marker: { size: 12, color: projection.physically_meaningless ? "#b03a2e" : "#1d2433", symbol: "x" } });
    }
    Plotly.react("chart-benchmarks", traces, layout("Error against computation (" + form + " form)", "hardware burden [Gflops]", "error"));
  }

  function project() {
    showTarget();
    var mine = ++sequence;
    var body = { benchmark: $("benchmark").value, target_error: targetError(), form: $("form").value,
      conversion: $("conversion").value, coefficients: $("coefficients").value };
    setState("loading");
    request("POST", "/api/limits/project", body).then(function (result) {
      if (mine !== sequence) return;
      projection = result;
      $("projection-error").textContent = "";
      $("computation").textContent = power(result.log10_computation_gflops, "Gflops") + " (" +
        power(result.log10_times_today_computation, "× today's") + ")";
      $("cost").textContent = power(result.log10_cost_usd, "USD");
      $("co2").textContent = power(result.log10_co2_lbs, "lbs") + " (" + power(result.log10_co2_kg, "kg") + ")";
      $("conversion-detail").textContent = result.conversion_detail;
      list("flags", result.flags);
      drawBenchmarks();
      setState("done");
    }).catch(function (error) {
      if (mine !== sequence) return;
      projection = null;
      $("projection-error").textContent = error.message;
      ["computation", "cost", "co2", "conversion-detail"].forEach(function (id) { $(id).textContent = "–"; });
      list("flags", []);
      drawBenchmarks();
      setState("error");
    });
  }

  function priceCurve() {
    var scenario = JSON.parse($("scenario-json").textContent);
    var body = { scenario: scenario, halvings: Number($("halvings").value) };
    if ($("budget").value !== "") body.budget_usd = Number($("budget").value);
    $("curve-error").textContent = "";
    $("curve-box").dataset.state = "loading";
    request("POST", "/api/limits/curve", body).then(function (result) {
      var tbody = $("curve").querySelector("tbody");
      tbody.textContent = "";
      result.steps.forEach(function (step) {
        tbody.appendChild(row([(100 * step.target_error).toPrecision(3) + "%", step.architecture,
          Math.round(step.data_needed).toLocaleString("en-US"), usd(step.total_cost_usd),
          power(Math.log10(step.hardware_burden_gflops)), step.cost_multiple === null ? "–" : step.cost_multiple.toPrecision(3),
          step.flags.join("; ")]));
      });
      list("curve-notes", result.notes);
      $("curve-box").hidden = false;
      $("curve-box").dataset.state = "done";
      if (!window.Plotly) return;
      var traces = result.benchmarks.map(function (curve) {
        return { x: curve.log10_computation_gflops.map(function (v) { return Math.pow(10, v); }), y: curve.error, mode: "lines",
          name: curve.label, line: { width: 1 } };
      });
      traces.push({ x: result.steps.map(function (s) { return s.hardware_burden_gflops; }), y: result.steps.map(function (s) { return s.target_error; }),
        mode: "lines+markers", name: "your project", line: { width: 3, color: "#1d2433" },
        marker: { size: 9, color: result.steps.map(function (s) { return s.flags.length ? "#b03a2e" : "#1d2433"; }) } });
      Plotly.react("chart-curve", traces, layout("Your project beside Figure 4's benchmarks", "hardware burden [Gflops]", "error"));
    }).catch(function (error) {
      $("curve-error").textContent = error.message;
      $("curve-box").dataset.state = "error";
    });
  }

  function simulate() {
    $("simulation-summary").textContent = "Simulating…";
    $("simulation-summary").dataset.state = "loading";
    request("POST", "/api/limits/simulate", { reps: Number($("reps").value) }).then(function (result) {
      $("simulation-summary").textContent = result.models.map(function (model) {
        var match = model.matches_oracle_at_15;
        return model.name + ": " + (match === null ? "never matches" : "matches the oracle's 15 at " + Math.round(match).toLocaleString("en-US"));
      }).join("; ");
      $("simulation-summary").dataset.state = "done";
      if (!window.Plotly) return;
      var traces = result.models.map(function (model) {
        return { x: result.sample_sizes, y: model.performance_mean, mode: "lines+markers", name: model.label || model.name };
      });
      var shape = layout("Performance against sample size (" + result.settings.reps + " simulations per case)", "observations",
        "-log10(normalized MSE)");
      shape.yaxis.type = "linear";
      shape.shapes = [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: result.reference_performance, y1: result.reference_performance,
        line: { dash: "dash", width: 1, color: "#5b6475" } }];
      Plotly.react("chart-simulation", traces, shape);
    }).catch(function (error) {
      $("simulation-summary").textContent = error.message;
      $("simulation-summary").dataset.state = "error";
    });
  }

  function start() {
    request("GET", "/api/limits/table").then(function (result) {
      table = result;
      fillFigure4();
      project();
    }).catch(function (error) { $("projection-error").textContent = error.message; });
    ["benchmark", "form", "conversion", "coefficients"].forEach(function (id) { $(id).addEventListener("change", project); });
    $("target-slider").addEventListener("input", project);
    $("price-curve").addEventListener("click", priceCurve);
    $("simulate").addEventListener("click", simulate);
    $("projection-form").addEventListener("submit", function (event) { event.preventDefault(); project(); });
    showTarget();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
