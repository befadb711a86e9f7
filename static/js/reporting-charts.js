// Draws each report table's chart from the JSON beside it (Django's json_script: data, never
// executed). Every chart has the same figures in a table next to it. Chart.js loads first.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var palette = ["#106165", "#1d70b8", "#d4351c", "#f47738", "#4c2c92", "#00703c", "#b58840", "#5694ca", "#912b88", "#85994b", "#28a197", "#6f72af", "#505a5f", "#d53880"];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var doughnut = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (d, i) {
      var colour = palette[i % palette.length];
      return {
        label: d.label,
        data: d.data,
        backgroundColor: doughnut ? palette.slice(0, d.data.length) : colour,
        borderColor: doughnut ? "#ffffff" : colour,
        borderWidth: spec.type === "line" ? 2 : 1,
        spanGaps: true,
        tension: 0.2,
      };
    });
    var scales = doughnut ? {} : {
      x: { stacked: spec.stacked, ticks: { autoSkip: false, maxRotation: 60 } },
      y: { stacked: spec.stacked, beginAtZero: true },
    };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: doughnut ? "nearest" : "index", intersect: false },
        plugins: {
          legend: { position: "bottom" },
          title: { display: Boolean(spec.axis), text: spec.axis || "" },
        },
        scales: scales,
      },
    });
  }

  var canvases = document.querySelectorAll("canvas[data-chart]");
  for (var i = 0; i < canvases.length; i++) {
    draw(canvases[i]);
  }
})();
