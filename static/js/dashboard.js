/* Dashboard charts (issue 4). Each <figure data-chart data-src> fetches its JSON, draws it with
   the vendored Chart.js and writes the same rows as an accessible table. No inline scripts (CSP). */
(function () {
  "use strict";
  var texts = document.getElementById("dashboard-texts");
  var T = texts ? texts.dataset : {};
  var COLORS = ["#1d4f91", "#b35c00", "#1b6e3a", "#7a0016", "#5b3f8c", "#00707a", "#8a6d00", "#4a4a4a"];
  window.dashboardCharts = {};

  function color(i, alpha) {
    var hex = COLORS[i % COLORS.length];
    if (alpha === undefined) { return hex; }
    var r = parseInt(hex.substr(1, 2), 16), g = parseInt(hex.substr(3, 2), 16), b = parseInt(hex.substr(5, 2), 16);
    return "rgba(" + r + "," + g + "," + b + "," + alpha + ")";
  }

  function isNumber(v) { return typeof v === "number" && isFinite(v); }

  function writeTable(figure, data) {
    var holder = figure.querySelector(".chart-table");
    holder.textContent = "";
    if (!data.rows.length) {
      var p = document.createElement("p");
      p.textContent = T.empty || "No data";
      holder.appendChild(p);
      return;
    }
    var table = document.createElement("table");
    var caption = document.createElement("caption");
    caption.textContent = data.title;
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    data.columns.forEach(function (c) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      head.appendChild(th);
    });
    var body = table.createTBody();
    data.rows.forEach(function (row) {
      var tr = body.insertRow();
      row.forEach(function (v) {
        var td = tr.insertCell();
        td.textContent = v === null ? "—" : (v === true ? "✓" : (v === false ? "" : String(v)));
      });
    });
    holder.appendChild(table);
  }

  function numericColumns(data, from) {
    var out = [];
    for (var i = from; i < data.columns.length; i++) {
      if (data.rows.some(function (r) { return isNumber(r[i]); })) { out.push(i); }
    }
    return out;
  }

  function barConfig(data, stacked) {
    var series = data.series || numericColumns(data, 1);
    return {
      type: "bar",
      data: {
        labels: data.rows.map(function (r) { return r[0]; }),
        datasets: series.map(function (col, i) {
          return { label: data.columns[col], data: data.rows.map(function (r) { return r[col]; }),
                   backgroundColor: color(i, 0.75) };
        })
      },
      options: { scales: { x: { stacked: !!stacked }, y: { stacked: !!stacked, beginAtZero: true } } }
    };
  }

  function paretoConfig(data, figure) {
    return {
      type: "bar",
      data: {
        labels: data.rows.map(function (r) { return r[1]; }),
        datasets: [
          { type: "bar", label: data.columns[2], data: data.rows.map(function (r) { return r[2]; }),
            backgroundColor: color(0, 0.75), yAxisID: "y", order: 2 },
          { type: "line", label: T.cumulative || data.columns[3], data: data.rows.map(function (r) { return r[3]; }),
            borderColor: color(1), backgroundColor: color(1), yAxisID: "y2", order: 1 }
        ]
      },
      options: {
        scales: { y: { beginAtZero: true }, y2: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } },
        onClick: function (_event, elements) {
          if (!elements.length) { return; }
          var code = data.rows[elements[0].index][0];
          window.location.href = figure.dataset.drill.replace("__CODE__", encodeURIComponent(code));
        }
      }
    };
  }

  function bandConfig(data) {
    var periods = [];
    data.rows.forEach(function (r) { if (periods.indexOf(r[0]) < 0) { periods.push(r[0]); } });
    periods.sort();
    var metrics = [];
    data.rows.forEach(function (r) { if (metrics.indexOf(r[1]) < 0) { metrics.push(r[1]); } });
    var datasets = [];
    metrics.forEach(function (metric, i) {
      var byPeriod = {};
      data.rows.forEach(function (r) { if (r[1] === metric) { byPeriod[r[0]] = r; } });
      var pick = function (col) { return periods.map(function (p) { return byPeriod[p] ? byPeriod[p][col] : null; }); };
      var axis = metric === "CES" ? "y2" : "y";
      datasets.push({ label: metric + " – " + (T.band || "95 %"), data: pick(3), borderWidth: 0, pointRadius: 0,
                      fill: false, yAxisID: axis, borderColor: color(i, 0) });
      datasets.push({ label: metric + " + ", data: pick(4), borderWidth: 0, pointRadius: 0, fill: "-1",
                      backgroundColor: color(i, 0.18), yAxisID: axis, borderColor: color(i, 0) });
      datasets.push({ label: metric, data: pick(2), borderColor: color(i), backgroundColor: color(i),
                      yAxisID: axis, spanGaps: false, tension: 0.2 });
    });
    return {
      type: "line",
      data: { labels: periods, datasets: datasets },
      options: {
        scales: { y: { suggestedMin: -20, suggestedMax: 100 }, y2: { position: "right", suggestedMin: 1, suggestedMax: 7, grid: { drawOnChartArea: false } } },
        plugins: { legend: { labels: { filter: function (item) { return item.text.indexOf(" – ") < 0 && item.text.slice(-2) !== "+ "; } } } }
      }
    };
  }

  function groupedConfig(data) {
    var labels = [], groups = [];
    data.rows.forEach(function (r) {
      if (labels.indexOf(r[0]) < 0) { labels.push(r[0]); }
      if (groups.indexOf(r[1]) < 0) { groups.push(r[1]); }
    });
    return {
      type: "bar",
      data: {
        labels: labels,
        datasets: groups.map(function (g, i) {
          return { label: g, backgroundColor: color(i, 0.75), data: labels.map(function (l) {
            var row = data.rows.filter(function (r) { return r[0] === l && r[1] === g; })[0];
            return row ? row[2] : null;
          }) };
        })
      }
    };
  }

  function lineXYConfig(data) {
    return {
      type: "line",
      data: { datasets: [{ label: data.columns[1], data: data.rows.map(function (r) { return { x: r[0], y: r[1] }; }),
                           borderColor: color(0), backgroundColor: color(0, 0.2), fill: true, pointRadius: 0 }] },
      options: { scales: { x: { type: "linear", min: 0, max: 100, title: { display: true, text: data.columns[0] } },
                           y: { min: 0, max: 100, title: { display: true, text: data.columns[1] } } } }
    };
  }

  function scatterConfig(data) {
    var point = function (r) { return { x: r[3], y: r[2], label: r[1] }; };
    return {
      type: "scatter",
      data: { datasets: [
        { label: T.costly || "costly", data: data.rows.filter(function (r) { return r[5]; }).map(point),
          backgroundColor: color(3), pointRadius: 5 },
        { label: T.others || "others", data: data.rows.filter(function (r) { return !r[5]; }).map(point),
          backgroundColor: color(0, 0.5) }
      ] },
      options: { scales: { x: { title: { display: true, text: data.columns[3] } }, y: { title: { display: true, text: data.columns[2] } } },
                 plugins: { tooltip: { callbacks: { label: function (ctx) { return ctx.raw.label + ": " + ctx.raw.x + " min, " + ctx.raw.y; } } } } }
    };
  }

  function segmentsConfig(data) {
    var rows = data.rows.map(function (r) { return [r[0] + ": " + r[1], r[2]]; });
    return barConfig({ columns: ["", data.columns[2]], rows: rows, series: [1] });
  }

  function matrixConfig(data, figure) {
    // One labelled bar per move ("A → B (12)"), largest first: the rows carry the segment names in
    // the reader's language, extra.codes the values the drill-down link needs.
    var codes = data.codes || [];
    var order = data.rows.map(function (_r, i) { return i; }).sort(function (a, b) { return data.rows[b][2] - data.rows[a][2]; });
    return {
      type: "bar",
      data: {
        labels: order.map(function (i) { var r = data.rows[i]; return r[0] + " → " + r[1] + " (" + r[2] + ")"; }),
        datasets: [{ label: data.columns[2], backgroundColor: color(0, 0.75),
                     data: order.map(function (i) { return data.rows[i][2]; }) }]
      },
      options: {
        indexAxis: "y",
        scales: { x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: data.columns[2] } } },
        plugins: { legend: { display: false } },
        onClick: function (_event, elements) {
          if (!elements.length) { return; }
          var code = codes[order[elements[0].index]];
          if (!code) { return; }
          var params = new URLSearchParams({ segmentation: data.segmentation || "", from_segment: code[0], to_segment: code[1] });
          window.location.href = figure.dataset.drill + "?" + params.toString();
        }
      }
    };
  }

  function configFor(data, figure) {
    switch (data.kind) {
      case "pareto": return paretoConfig(data, figure);
      case "band": return bandConfig(data);
      case "stacked": return barConfig(data, true);
      case "grouped": return groupedConfig(data);
      case "line": return lineXYConfig(data);
      case "scatter": return scatterConfig(data);
      case "stacked_segments": return segmentsConfig(data);
      case "matrix": return matrixConfig(data, figure);
      default: return barConfig(data, false);
    }
  }

  function draw(figure) {
    fetch(figure.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error) { throw new Error(data.error); }
        figure.querySelector(".chart-note").textContent = data.note || "";
        writeTable(figure, data);
        var config = configFor(data, figure);
        config.options = config.options || {};
        config.options.maintainAspectRatio = false;
        config.options.animation = false;
        window.dashboardCharts[data.name] = new window.Chart(figure.querySelector("canvas"), config);
        figure.dataset.rendered = data.rows.length ? "1" : "empty";
      })
      .catch(function (error) {
        figure.querySelector(".chart-note").textContent = String(error.message || error);
        figure.dataset.rendered = "error";
      });
  }

  document.querySelectorAll("figure[data-chart]").forEach(draw);
})();
