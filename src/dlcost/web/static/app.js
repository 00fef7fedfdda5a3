/* dlcost estimator page: form -> POST /api/estimate and /api/charts -> table, warnings, charts.
 *
 * The scenario lives in the URL query, so a copied link reproduces the estimate. The page never
 * encodes or decodes that query itself: the server's one codec (dlcost.web.query) does both. The
 * page posts its inputs to /api/link for the query string, and reads the inputs of the URL it
 * was opened with from the JSON the server decoded into the page (#initial-values). The pilot
 * textarea takes one "images,error" or "images,accuracy%" per line. Everything shown is set with textContent: nothing
 * typed by the user, or sent back by the server, is ever parsed as HTML.
 */
(function () {
  "use strict";

  // Inputs read from one element each, in Scenario order (that is also the URL's order).
  var NUMBER_FIELDS = [
    "data_present", "data_max", "cost_per_datapoint", "classes", "baseline_classes", "cost_per_flop",
    "epochs", "top", "gpus", "utilization", "runs", "scaling_efficiency", "price_per_hour", "pue", "power_w",
    "price_per_kwh", "loader_cores", "node_overhead_w", "deploy_batch_size", "deploy_price_per_hour", "pruning",
    "quantization_speedup", "interval_level",
  ];
  var TEXT_FIELDS = ["task", "cost_mode", "gpu", "precision", "provider", "country", "region", "stack", "decode",
                     "deploy_hardware", "deploy_precision", "interval_method"];
  var REQUIRED = {
    target_accuracy: "the target accuracy",
    data_max: "the limit of datapoints",
    cost_per_datapoint: "the $ per datapoint",
  };
  var EXAMPLE = {  // Figure 2 of seed 000 (examples/figure2.toml)
    task: "classification", target_accuracy: "96.5%", data_max: "200000", cost_per_datapoint: "0.63",
    class_counts: '{"Positive":50000,"Negative":1000}', pretrained: "true", cost_per_flop: "3e-11",
    epochs: "50", top: "3", cost_mode: "paper",
  };
  var COLORS = ["#1f5fbf", "#d9822b", "#2e8b57", "#a23b72", "#6b5b95", "#c0392b", "#148f9e", "#7f8c8d"];
  var DEBOUNCE_MS = 250;

  var form, results, rowsBody, rowTemplate, timer = null, sequence = 0, controller = null, rowCounter = 0;
  // Inputs of the opened link that the form has no control for (baseline_class_counts): sent on
  // unchanged, so a shared or saved link keeps every field.
  var carried = {};
  var FORM_FIELDS = ["target_accuracy", "pretrained", "class_counts", "architectures", "pilot_points", "tau", "collection_rounds",
                     "missed_target_penalty"];

  function $(id) { return document.getElementById(id); }

  // ----- reading the form ---------------------------------------------------------------

  /** A number from what was typed ("200,000" and "3e-11" included); the raw text when it is
   *  not a number, so that the server's message names the field; undefined when empty. */
  function numberFrom(text) {
    var trimmed = String(text).trim();
    if (trimmed === "") return undefined;
    if (/^-?\d{1,3}(,\d{3})+(\.\d*)?$/.test(trimmed)) trimmed = trimmed.replace(/,/g, "");
    var value = Number(trimmed);
    return trimmed !== "" && isFinite(value) ? value : trimmed;
  }

  function classMode() {
    return $("class_mode_number").checked ? "number" : "counts";
  }

  /** The class rows as [{label, count, row}] (rows with neither a label nor a count left out). */
  function classRows() {
    var rows = [];
    rowsBody.querySelectorAll("tr").forEach(function (row) {
      var label = row.querySelector(".class-label").value.trim();
      var count = row.querySelector(".class-count").value.trim();
      if (label !== "" || count !== "") rows.push({ label: label, count: count, row: row });
    });
    return rows;
  }

  /** class_counts for the request: a {label: count} object when any row is labelled,
   *  else a list; plus client-side problems (a missing count, a repeated label). */
  function readClassCounts() {
    var rows = classRows();
    var problems = [];
    if (rows.length === 0) return { value: undefined, problems: problems };
    var labelled = rows.some(function (r) { return r.label !== ""; });
    var seen = {};
    var object = {}, list = [];
    rows.forEach(function (r, index) {
      var label = r.label !== "" ? r.label : "class " + (index + 1);
      var count = numberFrom(r.count);
      if (r.count === "") problems.push("class_counts needs a count for class " + JSON.stringify(label) + ".");
      else if (typeof count !== "number") {
        problems.push("class_counts: the count of class " + JSON.stringify(label) + " must be a number; got " +
          JSON.stringify(r.count) + ".");
      }
      if (labelled && Object.prototype.hasOwnProperty.call(seen, label)) {
        problems.push("class_counts labels must be unique; " + JSON.stringify(label) + " appears twice.");
      }
      seen[label] = true;
      object[label] = count;
      list.push(count);
    });
    return { value: labelled ? object : list, problems: problems };
  }

  function targetText() {
    var text = $("target_accuracy").value.trim().replace(/%$/, "").trim();
    return text === "" ? "" : text + "%";
  }

  function checkedArchitectures() {
    return Array.prototype.map.call(
      form.querySelectorAll('input[name="architectures"]:checked'), function (box) { return box.value; });
  }

  /** Pilot points from the textarea: one "images,error" per line (a comma, semicolon, tab, space or
   *  colon between), "images,75%" an accuracy in percent (error = 1 - 0.75); blank lines, "#" lines and
   *  a first line that is not a number (a header; one naming accuracy makes the values accuracies) are
   *  skipped. Returns {points: [[n, error]], problems: [message]}; values out of range go to the server. */
  function pilotFromText(text) {
    var points = [], problems = [], accuracyColumn = false, seenLine = false;
    String(text).split(/\r?\n/).forEach(function (raw, index) {
      var line = raw.trim();
      if (line === "" || line.charAt(0) === "#") return;
      var match = line.match(/^([^\s,:;]+)\s*(?:[,:;\t]|\s)\s*([^\s,:;%]+\s*%?)$/);
      var first = !seenLine;
      seenLine = true;
      if (first && !(match && isFinite(Number(match[1])) && match[1] !== "")) {
        if (/[a-z]/i.test(line) && !/\d\s*[,:;\s]\s*\d/.test(line)) {  // a header such as "images,error"
          accuracyColumn = /acc/i.test(line);
          return;
        }
      }
      var where = "pilot_points: line " + (index + 1);
      if (!match) {
        problems.push(where + " must be images,error such as 1000,0.25 (or images,accuracy% such as 1000,75%); got " +
          JSON.stringify(line) + ".");
        return;
      }
      var size = Number(match[1]);
      var valueText = match[2].replace(/\s+/g, "");
      var percent = /%$/.test(valueText);
      var value = Number(valueText.replace(/%$/, ""));
      if (!isFinite(size) || !isFinite(value) || valueText.replace(/%$/, "") === "") {
        problems.push(where + ": expected two numbers, images and error (or accuracy%); got " + JSON.stringify(line) + ".");
        return;
      }
      var error = percent ? 1 - value / 100 : accuracyColumn ? 1 - value : value;
      points.push([size, Number(error.toPrecision(12))]);
    });
    return { points: points, problems: problems };
  }

  /** The textarea's text for decoded pilot points [[144, 0.0752], [288, 0.0418]]: one "images,error" a line. */
  function pilotText(points) {
    return (Array.isArray(points) ? points : []).map(function (p) {
      return Array.isArray(p) ? p[0] + "," + p[1] : p.n_train + "," + p.error;
    }).join("\n");
  }

  /** The scenario as a request body (typed values), empty fields left out. */
  function readScenario() {
    var body = {}, problems = [];  // problems: [{field, msg}] found before asking the server
    TEXT_FIELDS.forEach(function (name) {
      var value = $(name).value.trim();
      if (value !== "") body[name] = value;
    });
    NUMBER_FIELDS.forEach(function (name) {
      if (name === "classes" && classMode() !== "number") return;
      var value = numberFrom($(name).value);
      if (value !== undefined) body[name] = value;
    });
    var target = targetText();
    if (target !== "") body.target_accuracy = target;
    body.pretrained = $("pretrained").checked;
    if (classMode() === "counts") {
      var counts = readClassCounts();
      problems = problems.concat(counts.problems.map(function (msg) { return { field: "class_counts", msg: msg }; }));
      if (counts.value !== undefined) body.class_counts = counts.value;
    }
    var names = checkedArchitectures();
    if (names.length) body.architectures = names;
    var pilot = pilotFromText($("pilot_points").value);
    problems = problems.concat(pilot.problems.map(function (msg) { return { field: "pilot_points", msg: msg }; }));
    if (pilot.points.length) {
      body.pilot_points = pilot.points;
      var tau = numberFrom($("tau").value);  // tau matters only with a pilot: left out of the URL without one
      if (tau !== undefined) body.tau = tau;
      ["collection_rounds", "missed_target_penalty"].forEach(function (name) {  // the collection plan's inputs, likewise
        var value = numberFrom($(name).value);
        if (value !== undefined) body[name] = value;
      });
    }

    var missing = Object.keys(REQUIRED).filter(function (name) { return body[name] === undefined; })
      .map(function (name) { return REQUIRED[name]; });
    if (body.classes === undefined && body.class_counts === undefined) {
      missing.push(classMode() === "number" ? "the number of classes" : "the class distribution");
    }
    Object.keys(carried).forEach(function (name) { if (body[name] === undefined) body[name] = carried[name]; });
    return { body: body, missing: missing, problems: problems };
  }

  // ----- filling the form from a URL query ------------------------------------------------

  function addClassRow(label, count) {
    var fragment = rowTemplate.content.cloneNode(true);
    var row = fragment.querySelector("tr");
    rowCounter += 1;
    var labelInput = row.querySelector(".class-label"), countInput = row.querySelector(".class-count");
    labelInput.id = "class-label-" + rowCounter;
    countInput.id = "class-count-" + rowCounter;
    row.querySelector('[data-for="label"]').htmlFor = labelInput.id;
    row.querySelector('[data-for="count"]').htmlFor = countInput.id;
    labelInput.placeholder = rowsBody.children.length === 0 ? "e.g. Positive" : "label";
    countInput.placeholder = rowsBody.children.length === 0 ? "e.g. 50000" : "count";
    labelInput.value = label || "";
    countInput.value = count === undefined || count === null ? "" : String(count);
    rowsBody.appendChild(fragment);
    renumberRows();
    return row;
  }

  function renumberRows() {
    rowsBody.querySelectorAll("tr").forEach(function (row, index) {
      row.querySelector(".remove-class").setAttribute("aria-label", "Remove class " + (index + 1));
    });
  }

  function setClassRows(pairs) {
    rowsBody.textContent = "";
    pairs.forEach(function (pair) { addClassRow(pair[0], pair[1]); });
    if (pairs.length === 0) { addClassRow(); addClassRow(); }
    updateClassTotal();
  }

  /** Pairs [label, count] from decoded class counts: a list of counts or a label-to-count object. */
  function pairsFromCounts(counts) {
    if (Array.isArray(counts)) return counts.map(function (count) { return ["", count]; });
    if (counts && typeof counts === "object") return Object.keys(counts).map(function (label) { return [label, counts[label]]; });
    return [["", String(counts)]];
  }

  /** [label, count] from one pasted line: split at its last tab, else semicolon, else comma
   *  ("cat,1,000" is cat = 1000; a "quoted, label" keeps its comma); null for a bare count. */
  function splitLine(line) {
    var match = line.match(/^(.*)\t([^\t]*)$/) || line.match(/^(.*);([^;]*)$/) ||
      line.match(/^"((?:[^"]|"")*)"\s*,\s*(.*)$/) || line.match(/^(.*?),\s*(\d{1,3}(?:,\d{3})+(?:\.\d*)?)$/) ||
      line.match(/^(.*),([^,]*)$/);
    if (!match) return null;
    return [match[1].trim().replace(/^"(.*)"$/, "$1").replace(/""/g, '"'), match[2].trim()];
  }

  /** Pairs from pasted lines "label,count" (tab and semicolon too); a header line is skipped. */
  function pairsFromPaste(text) {
    var pairs = [];
    text.split(/\r?\n/).forEach(function (line) {
      line = line.trim();
      if (line === "") return;
      var match = splitLine(line);
      var label = match ? match[0] : "";
      var count = match ? match[1] : line;
      if (pairs.length === 0 && match && typeof numberFrom(count) !== "number") return;  // a header "label,count"
      pairs.push([label, count]);
    });
    return pairs;
  }

  function percentFromQuery(text) {
    text = String(text).trim();
    if (/%$/.test(text)) return text.replace(/%$/, "").trim();
    var value = Number(text);
    if (text !== "" && isFinite(value) && value <= 1) return String(Number((value * 100).toPrecision(12)));
    return text;
  }

  function ensureArchitecture(name) {
    var boxes = form.querySelectorAll('input[name="architectures"]');
    for (var i = 0; i < boxes.length; i++) if (boxes[i].value === name) return boxes[i];
    // A name the catalog lists under another spelling (an alias): keep it, so the link reproduces.
    var holder = document.createElement("div");
    holder.className = "arch";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = "architectures";
    box.value = name;
    box.id = "arch-extra-" + boxes.length;
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = name;
    holder.appendChild(box);
    holder.appendChild(label);
    form.querySelector(".arch-list").appendChild(holder);
    return box;
  }

  function fillForm(values) {
    TEXT_FIELDS.concat(NUMBER_FIELDS).forEach(function (name) {
      if (values[name] === undefined) return;
      var element = $(name);
      if (element.tagName === "SELECT" && values[name] !== "" &&
          !Array.prototype.some.call(element.options, function (o) { return o.value === String(values[name]); })) {
        var option = document.createElement("option");  // unknown to the page: the server will say why
        option.value = String(values[name]);
        option.textContent = String(values[name]);
        element.appendChild(option);
      }
      element.value = String(values[name]);
    });
    if (values.target_accuracy !== undefined) $("target_accuracy").value = percentFromQuery(values.target_accuracy);
    if (values.pretrained !== undefined) {
      $("pretrained").checked = !/^(false|0|no|off)$/i.test(String(values.pretrained).trim());
    }
    if (values.classes !== undefined) {
      $("class_mode_number").checked = true;
      setClassRows([]);
    } else if (values.class_counts !== undefined) {
      $("class_mode_counts").checked = true;
      setClassRows(pairsFromCounts(values.class_counts));
    }
    form.querySelectorAll('input[name="architectures"]').forEach(function (box) { box.checked = false; });
    if (values.architectures !== undefined) {
      [].concat(values.architectures).map(function (n) { return String(n).trim(); }).filter(Boolean)
        .forEach(function (name) { ensureArchitecture(name).checked = true; });
    }
    $("pilot_points").value = values.pilot_points !== undefined ? pilotText(values.pilot_points) : "";
    if (values.tau !== undefined) $("tau").value = String(values.tau);
    ["collection_rounds", "missed_target_penalty"].forEach(function (name) {
      if (values[name] !== undefined) $(name).value = String(values[name]);
    });
    if (values.pilot_points !== undefined || values.tau !== undefined) $("pilot").open = true;
    showClassMode();
    updateClassTotal();
    updateArchitectureSummary();
  }

  /** The inputs of the URL the page was opened with, as the server's codec decoded them. */
  function initialValues() {
    var holder = $("initial-values");
    try { return holder ? JSON.parse(holder.textContent) || {} : {}; } catch (error) { return {}; }
  }

  // ----- small displays inside the form ------------------------------------------------------

  function showClassMode() {
    var number = classMode() === "number";
    $("classes-number").hidden = !number;
    $("classes-counts").hidden = number;
  }

  function updateClassTotal() {
    var total = 0, ok = true;
    classRows().forEach(function (r) {
      var count = numberFrom(r.count);
      if (typeof count === "number") total += count; else ok = false;
    });
    $("class-total").textContent = ok ? formatCount(total) : "?";
    $("data_present").placeholder = classMode() === "counts" && ok && total > 0
      ? formatCount(total) + " (class total)" : "class total, else 0";
  }

  function updateArchitectureSummary() {
    var names = checkedArchitectures();
    $("architectures-summary").textContent = names.length
      ? names.length + " ticked: only these are ranked."
      : "None ticked: every default candidate in the catalog.";
  }

  // ----- formatting --------------------------------------------------------------------------

  var usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  function formatUsd(value) { return value === null || value === undefined ? "n/a" : usd.format(value); }
  function formatCount(value) { return Math.round(value).toLocaleString("en-US"); }
  function formatPercent(fraction) { return (fraction * 100).toFixed(2) + "%"; }
  function formatRange(range, format) {
    var shown = function (value) { return value === null || value === undefined ? "unbounded" : format(value); };
    return shown(range[0]) + " – " + shown(range[1]);
  }
  function formatAmount(value) {
    if (value === null || value === undefined) return "n/a";
    var digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3;
    return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  // ----- talking to the server -----------------------------------------------------------------

  function schedule() {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; update(); }, DEBOUNCE_MS);
  }

  function setLinks(query) {
    var suffix = query ? "?" + query : "";
    [["download-json", "/estimate.json"], ["download-csv", "/estimate.csv"], ["download-md", "/report.md"],
      ["download-html", "/report.html"]].forEach(function (pair) {
      $(pair[0]).href = pair[1] + suffix;
    });
    $("outlook-link").href = "/outlook" + suffix;  // the Outlook page prices this scenario's halvings
    window.history.replaceState(null, "", suffix || window.location.pathname);
  }

  function setLinksUsable(usable) {
    document.querySelectorAll(".downloads a").forEach(function (link) {
      if (usable) link.removeAttribute("aria-disabled"); else link.setAttribute("aria-disabled", "true");
    });
  }

  function postJson(url, body, signal) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      signal: signal,
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  /** Ask the server's codec for the link of the inputs; the outputs shown are for that query. */
  function updateLink(body, mine) {
    postJson("/api/link", body).then(function (answer) {
      if (mine !== sequence || !answer.ok) return;
      setLinks(answer.data.query);
      results.dataset.query = answer.data.query;
    }).catch(function () { /* the link stays as it was; the estimate reports any failure */ });
  }

  function update() {
    var scenario = readScenario();
    clearErrors();
    sequence += 1;
    updateLink(scenario.body, sequence);
    if (controller) controller.abort();
    document.body.classList.remove("busy");
    // data-query (set by updateLink) says what the outputs shown are for; data-state how far they got
    if (scenario.problems.length) {
      showProblems(scenario.problems);
      return;
    }
    if (scenario.missing.length) {
      results.dataset.state = "incomplete";
      hideResults();
      setLinksUsable(false);
      setStatus("Fill in " + joinWords(scenario.missing) + " to see an estimate, or load the Figure 2 example.");
      return;
    }
    var mine = sequence;
    results.dataset.state = "loading";
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var signal = controller ? controller.signal : undefined;
    setStatus("Estimating…");
    document.body.classList.add("busy");
    Promise.all([postJson("/api/estimate", scenario.body, signal), postJson("/api/charts", scenario.body, signal)])
      .then(function (answers) {
        if (mine !== sequence) return;
        var estimate = answers[0], charts = answers[1];
        if (estimate.status === 422 || charts.status === 422) {
          var failed = estimate.status === 422 ? estimate : charts;
          showProblems((failed.data && failed.data.detail) || [{ field: "body", msg: "the inputs were rejected." }]);
          return;
        }
        if (!estimate.ok || !charts.ok) {
          var bad = !estimate.ok ? estimate : charts;
          showProblems([{ field: "body", msg: "the server answered " + bad.status + (
            bad.data && bad.data.detail ? ": " + describeDetail(bad.data.detail) : ".") }]);
          return;
        }
        setLinksUsable(true);
        showEstimate(estimate.data);
        showCharts(charts.data);
        results.dataset.state = "done";
        var best = estimate.data.recommendations[0];
        setStatus(best ? "Best model: " + best.architecture + ", total " + formatUsd(best.total_cost) + "."
          : "No architecture fits these inputs.");
      })
      .catch(function (error) {
        if (mine !== sequence || (error && error.name === "AbortError")) return;
        showProblems([{ field: "body", msg: "the estimate could not be fetched (" + (error && error.message || error) + ")." }]);
      })
      .then(function () { if (mine === sequence) document.body.classList.remove("busy"); });
  }

  function describeDetail(detail) {
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map(function (d) { return d.msg || String(d); }).join(" ");
    return String(detail);
  }

  function joinWords(words) {
    if (words.length < 2) return words.join("");
    return words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
  }

  function setStatus(text) { $("status").textContent = text; }

  // ----- errors ----------------------------------------------------------------------------------

  function clearErrors() {
    $("messages").textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    form.querySelectorAll(".field-error").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll("fieldset.invalid").forEach(function (el) { el.classList.remove("invalid"); });
  }

  /** Elements to mark invalid for a field named in a 422 answer. */
  function elementsFor(field) {
    if (field === "class_counts") {
      var bad = classRows().filter(function (r) {
        var count = numberFrom(r.count);
        return typeof count !== "number" || count <= 0;
      }).map(function (r) { return r.row.querySelector(".class-count"); });
      return bad.length ? bad : Array.prototype.slice.call(rowsBody.querySelectorAll(".class-count"));
    }
    if (field === "architectures") return [$("architectures-fieldset")];
    var element = $(field);
    return element && form.contains(element) ? [element] : [];
  }

  function showProblems(problems) {
    results.dataset.state = "error";
    hideResults();
    setLinksUsable(false);
    var list = document.createElement("ul");
    var firstInvalid = null;
    problems.forEach(function (problem) {
      var field = problem.field || "body";
      var item = document.createElement("li");
      item.textContent = problem.msg;
      list.appendChild(item);
      var slot = $(field + "-error");
      if (slot && form.contains(slot)) {
        slot.textContent = slot.textContent ? slot.textContent + " " + problem.msg : problem.msg;
      }
      elementsFor(field).forEach(function (element) {
        var section = element.closest("details");
        if (section) section.open = true;  // a problem inside a collapsed section: show it
        if (element.tagName === "FIELDSET") element.classList.add("invalid");
        else element.setAttribute("aria-invalid", "true");
        if (!firstInvalid) firstInvalid = element;
      });
      if (field === "class_counts" || field === "classes") $("classes-fieldset").classList.add("invalid");
    });
    var heading = document.createElement("p");
    heading.textContent = problems.length === 1 ? "Please correct this input:" : "Please correct these inputs:";
    $("messages").appendChild(heading);
    $("messages").appendChild(list);
    setStatus("No estimate: see the message above.");
  }

  // ----- results -----------------------------------------------------------------------------------

  function hideResults() {
    ["summary", "pilot-card", "warnings-box", "recommendations-box", "charts"].forEach(function (id) { $(id).hidden = true; });
  }

  var ROWS = [
    ["max_achievable_accuracy", "Max achievable accuracy", formatPercent],
    ["predicted_accuracy", "Predicted accuracy (this backbone)", function (error) {
      return error === null || error === undefined ? "–" : formatPercent(1 - error);
    }],
    ["training_cost", "Model training cost", formatUsd],
    ["data_cost", "Data cost", formatUsd],
    ["data_needed", "Data needed (total)", formatCount],
    ["data_needed_range", "Data needed, range", function (r) { return formatRange(r, formatCount); }],
    ["additional_data", "Additional data to collect", formatCount],
    ["total_cost", "Total cost", formatUsd],
    ["total_cost_range", "Total cost, range", function (r) { return formatRange(r, formatUsd); }],
    ["cost_mode", "Cost mode", String],
    ["gpu_hours", "GPU-hours", formatAmount],
    ["compute_cost", "GPU compute cost", formatUsd],
    ["energy_kwh", "Energy (kWh)", formatAmount],
    ["co2_kg", "CO\u2082 (kg)", formatAmount],
    ["inference_images_per_s", "Serving images/s", formatAmount],
    ["cost_per_1000_predictions", "$ per 1,000 predictions", function (value) {
      return value === null || value === undefined ? "–" : "$" + Number(value).toPrecision(3);
    }],
  ];

  function cell(tag, text, attributes) {
    var element = document.createElement(tag);
    element.textContent = text;
    Object.keys(attributes || {}).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    return element;
  }

  function showEstimate(estimate) {
    $("summary-rc").textContent = estimate.relative_complexity.toFixed(4);
    var needed = $("summary-needed");
    needed.textContent = estimate.data_needed === null || estimate.data_needed === undefined
      ? "not reachable" : formatCount(estimate.data_needed) + " images";
    if (estimate.data_need_source) needed.appendChild(cell("span", "sized by " + estimate.data_need_source, { class: "source" }));
    $("summary-max").textContent = formatPercent(estimate.max_achievable_accuracy) + (
      estimate.target_reachable ? " (target reachable)" : " (target not reachable within the limit)");
    $("summary-headroom").textContent = formatPercent(estimate.accuracy_at_data_max);
    $("summary-mode").textContent = estimate.cost_mode;
    var modelLink = cell("a", estimate.model, { href: "/models/" + encodeURIComponent(estimate.model) });
    $("summary-model").textContent = "";
    $("summary-model").appendChild(modelLink);
    var hw = estimate.hardware || {};
    var price = hw.price_per_gpu_hour_usd;
    var hardware = $("summary-hardware");
    hardware.textContent = (hw.n_gpus || 1) + " × " + (hw.gpu || "") + " " + (hw.precision || "") +
      (price === null || price === undefined ? ", no price" : ", " + formatUsd(price) + "/GPU-h");
    if (hw.price_source) hardware.appendChild(cell("span", hw.price_source, { class: "source" }));
    $("summary").hidden = false;
    showPilot(estimate);

    var warnings = $("warnings");
    warnings.textContent = "";
    (estimate.warnings || []).forEach(function (text) { warnings.appendChild(cell("li", text)); });
    $("warnings-box").hidden = !(estimate.warnings || []).length;

    var segmentation = estimate.inputs && estimate.inputs.task === "segmentation";
    ROWS[0][1] = segmentation ? "Max achievable mean IoU" : "Max achievable accuracy";
    ROWS[1][1] = segmentation ? "Predicted mean IoU (this backbone)" : "Predicted accuracy (this backbone)";
    $("summary-max-label").textContent = segmentation ? "Max achievable mean IoU" : "Max achievable accuracy";
    $("summary-headroom-label").textContent = "Best " + (segmentation ? "mean IoU" : "accuracy") + " at the data limit";
    var table = $("recommendations");
    table.textContent = "";
    var recs = estimate.recommendations || [];
    var caption = cell("caption", "Top " + recs.length + " of the candidate architectures, cheapest total first");
    caption.className = "visually-hidden";
    table.appendChild(caption);
    var head = document.createElement("thead");
    var headRow = document.createElement("tr");
    headRow.appendChild(cell("th", "Model", { scope: "col" }));
    recs.forEach(function (rec) {
      var th = cell("th", "", { scope: "col", "data-rank": String(rec.rank), "data-field": "architecture" });
      th.appendChild(cell("span", "#" + rec.rank + " ", { class: "rank" }));
      th.appendChild(document.createTextNode(rec.architecture));
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = document.createElement("tbody");
    ROWS.forEach(function (spec) {
      var row = document.createElement("tr");
      if (spec[0] === "total_cost") row.className = "total";
      var title = spec[1];
      if (/range$/.test(spec[0]) && estimate.interval) {
        title = title.replace("range", Math.round(estimate.interval.level * 100) + "% range");
      }
      row.appendChild(cell("th", title, { scope: "row" }));
      if (/range$/.test(spec[0])) row.className = "range";
      recs.forEach(function (rec) {
        var value = spec[0] === "data_needed_range" ? [rec.data_needed_low, rec.data_needed_high]
          : spec[0] === "total_cost_range" ? [rec.total_cost_low, rec.total_cost_high]
          : spec[0] === "predicted_accuracy" ? rec.predicted_error : rec[spec[0]];
        var td = cell("td", spec[2](value), { "data-rank": String(rec.rank), "data-field": spec[0] });
        if (spec[0] === "max_achievable_accuracy" && !rec.feasible) td.classList.add("short");
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    $("recommendations-box").hidden = false;
  }

  /** The pilot card: the curve family that sized the data and the next collection round. */
  function showPilot(estimate) {
    var pilot = estimate.pilot;
    var advice = estimate.pilot_recommendation;
    $("pilot-card").hidden = !pilot && !advice;
    if (!pilot && advice) {
      var now = advice.range_factor_now;
      $("pilot-summary").textContent = "Recommended first: a pilot on " + advice.sizes_images.map(formatCount).join(", ") +
        " images (nested subsets of your data; about " + formatUsd(advice.cost_usd) + " in data and training).";
      $("pilot-detail").textContent = "It is expected to narrow the " + Math.round(advice.level * 100) + "% data range from " +
        (now === null || now === undefined ? "unbounded" : formatAmount(now) + "×") + " (high/low) to about " +
        formatAmount(advice.range_factor_expected) + "× if its points fall near the model's curve. Enter its points under " +
        "\u201cPilot run\u201d to size the data from them.";
      return;
    }
    if (!pilot) return;
    var next = pilot.next_round_size;
    $("pilot-summary").textContent = "Data sized by the pilot: " + pilot.family_label + "; next collection round: " +
      (next === null || next === undefined ? "none (the target is beyond the curve's floor)" : formatCount(next) + " images") + ".";
    var detail = [];
    if (pilot.equation) detail.push("Curve " + pilot.equation + ", fitted to " + pilot.points.length +
      (pilot.points.length === 1 ? " point" : " points") + ".");
    if (pilot.data_needed !== null && pilot.data_needed !== undefined) {
      var range = pilot.data_needed_low !== null && pilot.data_needed_low !== undefined
        ? " (" + (estimate.interval ? Math.round(estimate.interval.level * 100) + "% " : "") + "range " +
          formatRange([pilot.data_needed_low, pilot.data_needed_high], formatCount) + ")" : "";
      detail.push("Data needed for the target: " + formatCount(pilot.data_needed) + range + ".");
    }
    var plan = pilot.collection_plan;
    if (plan) {
      var rounds = plan.round_totals_images.map(function (n, i) {
        return formatCount(n) + " (met with probability " + formatPercent(plan.probability_met_by_round[i]) + ")";
      });
      detail.push("Cost-optimal collection plan (Mahmood et al., NeurIPS 2022; at most " + plan.rounds_allowed + " rounds): " +
        (rounds.length ? "grow the data to " + rounds.join(", then ") : "collect nothing more") +
        "; expected cost " + formatUsd(plan.expected_cost_usd) + " with a " + formatUsd(plan.missed_target_penalty) +
        " cost of missing the target (" + plan.penalty_source + ").");
    } else if (next !== null && next !== undefined && pilot.next_round_total !== null && pilot.next_round_total !== undefined) {
      var aim = estimate.inputs && estimate.inputs.target_accuracy !== undefined
        ? formatPercent(Math.min(estimate.inputs.target_accuracy + pilot.tau, 1)) + " (the target + tau)" : "the target + tau";
      detail.push("The next round brings the data to " + formatCount(pilot.next_round_total) + " images, aiming at " + aim +
        (pilot.data_needed_aim > pilot.next_round_total ? ", capped at the data limit." : "."));
    }
    (pilot.notes || []).forEach(function (note) { detail.push(note.charAt(0).toUpperCase() + note.slice(1)); });
    $("pilot-detail").textContent = detail.join(" ");
  }

  // ----- charts --------------------------------------------------------------------------------------

  var BASE_LAYOUT = {
    margin: { l: 64, r: 16, t: 16, b: 48 },
    font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#1d2433" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" },
    autosize: true,
    hovermode: "closest",
  };
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  function layout(extra) {
    var merged = JSON.parse(JSON.stringify(BASE_LAYOUT));
    Object.keys(extra).forEach(function (key) { merged[key] = extra[key]; });
    return merged;
  }

  function verticalLine(x, text, color, anchor) {
    return {
      shape: { type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
        line: { color: color, width: 1.5, dash: "dash" } },
      annotation: { x: x, y: 1, xref: "x", yref: "paper", text: text, showarrow: false, xanchor: anchor,
        yanchor: "top", font: { color: color, size: 11 }, bgcolor: "rgba(255,255,255,0.85)", borderpad: 2 },
    };
  }

  /** Accuracy on a learning curve ({data, accuracy}) at a data size, interpolated in log10(size). */
  function curveAt(curve, size) {
    var xs = curve.data, ys = curve.accuracy;
    if (!(size > 0) || size < xs[0] || size > xs[xs.length - 1]) return null;
    for (var i = 1; i < xs.length; i++) {
      if (size <= xs[i]) {
        var t = (Math.log10(size) - Math.log10(xs[i - 1])) / (Math.log10(xs[i]) - Math.log10(xs[i - 1]));
        return ys[i - 1] + t * (ys[i] - ys[i - 1]);
      }
    }
    return ys[ys.length - 1];
  }

  /** Tick values 1, 2, 5 x 10^k for a log axis spanning at most 3.5 decades (Plotly labels every
   *  digit there, and the labels collide); null for a wider span, where Plotly's powers of ten do. */
  function logTicks(traces) {
    var lo = Infinity, hi = 0;
    traces.forEach(function (trace) {
      trace.x.forEach(function (x) { if (x > 0) { lo = Math.min(lo, x); hi = Math.max(hi, x); } });
    });
    if (!(hi > lo) || Math.log10(hi / lo) > 3.5) return null;
    var values = [];
    for (var k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
      [1, 2, 5].forEach(function (m) { var v = m * Math.pow(10, k); if (v >= lo && v <= hi) values.push(v); });
    }
    return values;
  }

  function showCharts(data) {
    if (!window.Plotly) {
      $("charts").hidden = true;
      return;
    }
    $("charts").hidden = false;  // visible before plotting, so Plotly sizes to the container
    var colors = {};
    data.breakdown.forEach(function (item, index) { colors[item.architecture] = COLORS[index % COLORS.length]; });

    // (1) total cost against target accuracy
    var cva = data.cost_vs_accuracy;
    var xs = cva.accuracy.map(function (a) { return a * 100; });
    var costTraces = cva.series.map(function (series) {
      return { x: xs, y: series.total_cost, type: "scatter", mode: "lines", name: series.architecture,
        line: { color: colors[series.architecture], width: 2 },
        hovertemplate: "%{x:.2f}%: $%{y:,.0f}<extra>" + series.architecture + "</extra>" };
    });
    var limitFirst = cva.data_limit_accuracy <= cva.target_accuracy;
    var lines = [
      verticalLine(cva.data_limit_accuracy * 100, "data limit", "#b03a2e", limitFirst ? "right" : "left"),
      verticalLine(cva.target_accuracy * 100, "target", "#1d2433", limitFirst ? "left" : "right"),
    ];
    Plotly.react("chart-cost", costTraces, layout({
      height: 340,
      xaxis: { title: { text: "Target accuracy (%)" }, ticksuffix: "%", gridcolor: "#e6e9ef" },
      yaxis: { title: { text: "Total cost (USD)" }, tickprefix: "$", tickformat: "~s", gridcolor: "#e6e9ef", rangemode: "tozero" },
      shapes: lines.map(function (l) { return l.shape; }),
      annotations: lines.map(function (l) { return l.annotation; }),
    }), CONFIG);

    // (2) predicted accuracy against data size
    var curve = data.learning_curve;
    var points = [];
    curve.data.forEach(function (size, i) { if (curve.accuracy[i] > 0) points.push([size, curve.accuracy[i] * 100]); });
    var curveTraces = [{
      x: points.map(function (p) { return p[0]; }), y: points.map(function (p) { return p[1]; }),
      type: "scatter", mode: "lines", name: curve.label || "eq. (1)", line: { color: "#1f5fbf", width: 2 },
      hovertemplate: "%{x:,.0f} images: %{y:.2f}%<extra></extra>",
    }];
    // With a pilot, its chosen curve (error turned into accuracy) sized the data: drawn with the
    // measured points, and the markers sit on it where it reaches.
    var pilot = data.pilot, pilotCurve = null;
    if (pilot && pilot.curve) {
      pilotCurve = { data: pilot.curve.n_train, accuracy: pilot.curve.error.map(function (e) { return 1 - e; }) };
      curveTraces.push({
        x: pilotCurve.data, y: pilotCurve.accuracy.map(function (a) { return a * 100; }),
        type: "scatter", mode: "lines", name: "pilot: " + pilot.curve.label, line: { color: "#a23b72", width: 2, dash: "dash" },
        hovertemplate: "%{x:,.0f} images: %{y:.2f}%<extra>pilot curve</extra>",
      });
    }
    if (pilot && pilot.points && pilot.points.length) {
      curveTraces.push({
        x: pilot.points.map(function (p) { return p.n_train; }),
        y: pilot.points.map(function (p) { return (1 - p.error) * 100; }),
        type: "scatter", mode: "markers", name: "pilot points",
        marker: { color: "#a23b72", size: 10, symbol: "x", line: { color: "#ffffff", width: 1 } },
        hovertemplate: "pilot: %{x:,.0f} images, %{y:.2f}%<extra></extra>",
      });
    }
    [["data present", curve.data_present, "#2e8b57", "circle"], ["data max", curve.data_max, "#b03a2e", "square"],
      ["data needed", curve.data_needed, "#d9822b", "diamond"]].forEach(function (mark) {
      var y = pilotCurve ? curveAt(pilotCurve, mark[1]) : null;
      if (y === null) y = curveAt(curve, mark[1]);
      if (y === null || y <= 0) return;
      curveTraces.push({ x: [mark[1]], y: [y * 100], type: "scatter", mode: "markers", name: mark[0],
        marker: { color: mark[2], size: 11, symbol: mark[3], line: { color: "#ffffff", width: 1 } },
        hovertemplate: mark[0] + ": %{x:,.0f} images, %{y:.2f}%<extra></extra>" });
    });
    var xaxis = { type: "log", title: { text: "Training images (log scale)" }, gridcolor: "#e6e9ef", tickformat: "~s" };
    var ticks = logTicks(curveTraces);
    if (ticks) xaxis.tickvals = ticks;
    Plotly.react("chart-curve", curveTraces, layout({
      height: 340,
      xaxis: xaxis,
      yaxis: { title: { text: "Predicted accuracy (%)" }, ticksuffix: "%", gridcolor: "#e6e9ef" },
      shapes: [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: curve.target_accuracy * 100,
        y1: curve.target_accuracy * 100, line: { color: "#1d2433", width: 1, dash: "dot" } }],
      annotations: [{ xref: "paper", yref: "y", x: 0, y: curve.target_accuracy * 100, text: "target",
        showarrow: false, xanchor: "left", yanchor: "bottom", font: { size: 11 } }],
    }), CONFIG);

    // (3) stacked cost breakdown
    var names = data.breakdown.map(function (b) { return b.architecture; });
    Plotly.react("chart-breakdown", [
      { x: names, y: data.breakdown.map(function (b) { return b.training_cost; }), type: "bar", name: "Training",
        marker: { color: "#1f5fbf" }, hovertemplate: "%{x}: training $%{y:,.2f}<extra></extra>" },
      { x: names, y: data.breakdown.map(function (b) { return b.data_cost; }), type: "bar", name: "Data",
        marker: { color: "#f0b35a" }, hovertemplate: "%{x}: data $%{y:,.2f}<extra></extra>" },
    ], layout({
      height: 320,
      barmode: "stack",
      xaxis: { automargin: true },
      yaxis: { title: { text: "Cost (USD)" }, tickprefix: "$", tickformat: "~s", gridcolor: "#e6e9ef" },
    }), CONFIG);
  }

  // ----- wiring ------------------------------------------------------------------------------------

  function copyLink() {
    var url = window.location.href;
    var done = function () { $("copy-status").textContent = "Link copied."; };
    var fallback = function () {
      var area = document.createElement("textarea");
      area.value = url;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      document.body.removeChild(area);
      $("copy-status").textContent = ok ? "Link copied." : "Copy this link: " + url;
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, fallback);
    else fallback();
  }

  function addErrorSlots() {
    form.querySelectorAll(".field").forEach(function (field) {
      var control = field.querySelector("input, select, textarea");
      if (!control || $(control.id + "-error")) return;
      var slot = document.createElement("p");
      slot.className = "field-error";
      slot.id = control.id + "-error";
      field.appendChild(slot);
    });
  }

  function init() {
    form = $("scenario");
    results = $("results");
    rowsBody = $("class-rows");
    rowTemplate = $("class-row-template");
    addErrorSlots();
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    form.addEventListener("input", function (event) {
      if (event.target.classList.contains("class-count") || event.target.classList.contains("class-label")) updateClassTotal();
      if (event.target.id === "class-paste") return;  // filled into the rows by its button
      schedule();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "class_mode") { showClassMode(); updateClassTotal(); }
      if (event.target.name === "architectures") updateArchitectureSummary();
      if (event.target.id === "class-paste") return;
      schedule();
    });
    $("add-class").addEventListener("click", function () {
      addClassRow().querySelector(".class-label").focus();
      schedule();
    });
    rowsBody.addEventListener("click", function (event) {
      var button = event.target.closest(".remove-class");
      if (!button) return;
      button.closest("tr").remove();
      renumberRows();
      updateClassTotal();
      schedule();
    });
    $("fill-classes").addEventListener("click", function () {
      var pairs = pairsFromPaste($("class-paste").value);
      if (!pairs.length) {
        $("paste-status").textContent = "No label,count lines found.";
        return;
      }
      setClassRows(pairs);
      $("paste-status").textContent = "Filled " + pairs.length + (pairs.length === 1 ? " class." : " classes.");
      schedule();
    });
    $("clear-architectures").addEventListener("click", function () {
      form.querySelectorAll('input[name="architectures"]').forEach(function (box) { box.checked = false; });
      updateArchitectureSummary();
      schedule();
    });
    $("copy-link").addEventListener("click", copyLink);
    $("load-example").addEventListener("click", function () {
      carried = {};
      form.reset();
      fillForm(EXAMPLE);
      update();
    });
    document.querySelectorAll(".downloads a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (link.getAttribute("aria-disabled") === "true") {
          event.preventDefault();
          setStatus("Downloads need a valid scenario: see the inputs marked in red.");
        }
      });
    });

    var values = initialValues();
    var known = TEXT_FIELDS.concat(NUMBER_FIELDS, FORM_FIELDS);
    Object.keys(values).forEach(function (name) { if (known.indexOf(name) < 0) carried[name] = values[name]; });
    if (Object.keys(values).length) {
      setClassRows([]);
      fillForm(values);
      update();
    } else {
      setClassRows([]);
      showClassMode();
      setLinksUsable(false);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
