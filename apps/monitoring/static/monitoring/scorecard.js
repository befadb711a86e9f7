// Draws the scorecard's trend chart from the JSON the page carries (json_script, not executed);
// the same figures are in the table beside the chart. Chart.js is loaded before this file.
(function () {
  "use strict";
  var data = document.getElementById("scorecard-trend-data");
  var canvas = document.getElementById("scorecard-trend-chart");
  if (!data || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var trend = JSON.parse(data.textContent);
  var colours = ["#106165", "#1d70b8", "#d4351c"];
  var datasets = trend.series.map(function (s, i) {
    return {
      type: s.type,
      label: s.label,
      data: s.data,
      yAxisID: s.axis,
      backgroundColor: s.type === "bar" ? "rgba(16, 97, 101, 0.55)" : colours[i],
      borderColor: colours[i],
      borderWidth: 2,
      spanGaps: true,
      tension: 0.2,
    };
  });
  new window.Chart(canvas, {
    data: { labels: trend.labels, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } },
      scales: {
        y: { beginAtZero: true, position: "left", title: { display: true, text: "Per 100 placement-years" } },
        y1: {
          beginAtZero: true,
          max: 100,
          position: "right",
          grid: { drawOnChartArea: false },
          title: { display: true, text: "Per cent" },
        },
      },
    },
  });
})();
