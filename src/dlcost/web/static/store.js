/* dlcost store pages: save, delete and compare scenarios; import observations; fit and choose models.
 *
 * Forms post JSON (or CSV text) to the /api/ endpoints with fetch. A 422 answer's problems are shown
 * under the field they name (and a CSV import's line); a 401 reveals the write-token box. Everything
 * shown is set with textContent: nothing typed, or sent back by the server, is parsed as HTML.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "dlcost-write-token";
  var FLASH_KEY = "dlcost-flash";

  function $(id) { return document.getElementById(id); }

  function token() {
    var input = $("write-token");
    var typed = input ? input.value.trim() : "";
    if (typed) { try { sessionStorage.setItem(TOKEN_KEY, typed); } catch (e) { /* storage off */ } return typed; }
    try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  }

  /** A write request; resolves to {status, data} (data: parsed JSON, or null). */
  function send(method, url, body, contentType) {
    var headers = {};
    if (method === "POST" && body === undefined) body = {};  // every POST is JSON (or CSV): the server refuses others
    if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
    var secret = token();
    if (secret) headers.Authorization = "Bearer " + secret;
    return fetch(url, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : (contentType ? body : JSON.stringify(body)),
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }, function () {
      return { status: 0, data: { detail: [{ field: "body", msg: "The server cannot be reached; try again." }] } };
    });
  }

  function problemsOf(answer) {
    var detail = answer.data && answer.data.detail;
    if (Array.isArray(detail)) return detail;
    return [{ field: "body", msg: typeof detail === "string" ? detail : "The server answered " + answer.status + "." }];
  }

  /** Show each problem under its field (element id prefix + field + "-error") or in the box. */
  function showProblems(answer, box, prefix) {
    clearProblems(box, prefix);
    if (answer.status === 401) {
      var tokenBox = $("token-box");
      if (tokenBox) { tokenBox.hidden = false; $("write-token").focus(); }
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage off */ }
    }
    var list = document.createElement("ul");
    problemsOf(answer).forEach(function (problem) {
      var slot = prefix ? $(prefix + problem.field + "-error") : null;
      if (slot) {
        slot.textContent = problem.msg;
        var input = $(prefix + problem.field);
        if (input) input.setAttribute("aria-invalid", "true");
        return;
      }
      var item = document.createElement("li");
      var where = [];
      if (problem.line) where.push("line " + problem.line);
      if (problem.field && problem.field !== "body") where.push("field " + problem.field);
      if (where.length && !/^line \d+:/.test(problem.msg)) item.textContent = where.join(", ") + ": " + problem.msg;
      else item.textContent = problem.msg;
      if (where.length) item.dataset.where = where.join(", ");
      list.appendChild(item);
    });
    if (list.children.length) {
      var title = document.createElement("p");
      title.textContent = answer.status === 401 ? "A write token is needed." : "Nothing was changed:";
      box.appendChild(title);
      box.appendChild(list);
    }
  }

  function clearProblems(box, prefix) {
    box.textContent = "";
    if (!prefix) return;
    document.querySelectorAll('[id^="' + prefix + '"][id$="-error"]').forEach(function (slot) { slot.textContent = ""; });
    document.querySelectorAll('[id^="' + prefix + '"][aria-invalid]').forEach(function (input) { input.removeAttribute("aria-invalid"); });
  }

  /** Go to ``url`` and say ``message`` there (the page reads it once). */
  function flashThenGo(message, url) {
    try { sessionStorage.setItem(FLASH_KEY, message); } catch (e) { /* storage off */ }
    if (url) window.location.assign(url); else window.location.reload();
  }

  function busy(form, on) {
    form.querySelectorAll("button").forEach(function (button) { button.disabled = on; });
  }

  // ----- scenarios ----------------------------------------------------------------------------

  function wireCompare(form) {
    form.addEventListener("submit", function (event) {
      var names = Array.prototype.map.call(form.querySelectorAll('input[name="names"]:checked'), function (box) { return box.value; });
      var error = $("compare-error");
      event.preventDefault();
      if (names.length < 2) { error.textContent = "Tick at least two scenarios to compare."; return; }
      error.textContent = "";
      var joined = names.some(function (name) { return name.indexOf(",") >= 0; })
        ? names.map(function (name) { return "names=" + encodeURIComponent(name); }).join("&")
        : "names=" + names.map(encodeURIComponent).join(",");
      window.location.assign("/scenarios/compare?" + joined);
    });
  }

  function wireSave(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearProblems($("save-errors"), "save-");
      var body = {
        name: $("save-name").value.trim(), query: $("save-query").value.trim(),
        model: $("save-model").value, replace: $("save-replace").checked,
      };
      busy(form, true);
      send("POST", "/api/scenarios", body).then(function (answer) {
        busy(form, false);
        if (answer.status === 200) {
          flashThenGo("Saved scenario " + JSON.stringify(answer.data.name) + ".", "/scenarios/" + encodeURIComponent(answer.data.name));
        } else {
          showProblems(answer, $("save-errors"), "save-");
        }
      });
    });
  }

  function wireDelete(button) {
    button.addEventListener("click", function () {
      var name = button.dataset.name;
      if (!window.confirm("Delete the saved scenario " + JSON.stringify(name) + "?")) return;
      send("DELETE", "/api/scenarios/" + encodeURIComponent(name)).then(function (answer) {
        if (answer.status === 200) flashThenGo("Deleted scenario " + JSON.stringify(name) + ".", "/scenarios");
        else showProblems(answer, $("scenario-errors"));
      });
    });
  }

  // ----- observations -------------------------------------------------------------------------

  function importCsv(form, text, examples) {
    var box = $("import-errors");
    busy(form, true);
    send("POST", "/api/observations/import" + (examples ? "?examples=true" : ""), examples ? "" : text, "text/csv")
      .then(function (answer) {
        busy(form, false);
        if (answer.status === 200) flashThenGo("Imported " + answer.data.imported + " observations.");
        else showProblems(answer, box);
      });
  }

  function wireImport(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = $("import-file").files[0];
      var pasted = $("import-text").value;
      if (!file && pasted.trim() === "") {
        showProblems({ status: 422, data: { detail: [{ field: "body", msg: "Choose a CSV file or paste CSV text." }] } }, $("import-errors"));
        return;
      }
      if (file) file.text().then(function (text) { importCsv(form, text, false); });
      else importCsv(form, pasted, false);
    });
    $("import-examples").addEventListener("click", function () { importCsv(form, "", true); });
  }

  // ----- models -------------------------------------------------------------------------------

  function wireFit(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearProblems($("fit-errors"), "fit-");
      var filters = {}, bad = null;
      $("fit-observations").value.split(/\r?\n/).forEach(function (line) {
        if (line.trim() === "") return;
        var at = line.indexOf("=");
        if (at <= 0) { bad = bad || line.trim(); return; }
        filters[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      });
      if (bad !== null) {
        showProblems({ status: 422, data: { detail: [{ field: "observations",
          msg: "observations: filters are FIELD=VALUE, e.g. pretrained=yes; got " + JSON.stringify(bad) + "." }] } }, $("fit-errors"), "fit-");
        return;
      }
      var body = { name: $("fit-name").value.trim(), with_paper_cases: $("fit-paper").checked, observations: filters };
      busy(form, true);
      $("fit-status").textContent = "Fitting…";
      send("POST", "/api/models", body).then(function (answer) {
        busy(form, false);
        $("fit-status").textContent = "";
        if (answer.status === 200) flashThenGo("Fitted " + JSON.stringify(answer.data.name) + " on " + answer.data.n + " observations.",
          "/models/" + encodeURIComponent(answer.data.name));
        else showProblems(answer, $("fit-errors"), "fit-");
      });
    });
  }

  function wireUse(button) {
    button.addEventListener("click", function () {
      var name = button.dataset.name;
      button.disabled = true;
      send("POST", "/api/models/" + encodeURIComponent(name) + "/use").then(function (answer) {
        button.disabled = false;
        if (answer.status === 200) flashThenGo("Estimates now use " + name + ".");
        else showProblems(answer, $("model-errors"));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var flash = $("flash");
    try {
      var message = sessionStorage.getItem(FLASH_KEY);
      if (message && flash) { flash.textContent = message; sessionStorage.removeItem(FLASH_KEY); }
    } catch (e) { /* storage off */ }
    var wiring = {
      "compare-form": wireCompare, "save-form": wireSave, "delete-scenario": wireDelete,
      "import-form": wireImport, "fit-form": wireFit, "use-model": wireUse,
    };
    Object.keys(wiring).forEach(function (id) { if ($(id)) wiring[id]($(id)); });
    // The estimator page's "Save this scenario" link carries the page's own query.
    document.querySelectorAll("a[data-save-scenario]").forEach(function (link) {
      link.addEventListener("click", function () {
        link.href = "/scenarios?query=" + encodeURIComponent(window.location.search.replace(/^\?/, ""));
      });
    });
  });
})();
