/*
 * 扬帆 charts: draws every element carrying data-chart="line", "spark" or "map" with Apache ECharts
 * (vendored in vendor/echarts/, loaded before this file; both with `defer`, only on pages that have charts).
 *
 * No inline script anywhere (the Content-Security-Policy allows scripts from 'self' only): a template hands
 * the data over in a JSON element and names it on the chart element:
 *
 *   <div class="chart-line" data-chart="line" data-source="a1-chart" role="img" aria-label="…"></div>
 *   {{ chart_data|json_script:"a1-chart" }}
 *
 * Data contract (one JSON object per chart):
 *
 *   { "unit": "%",                                  // unit of the values, for the axis and the tooltip
 *     "periods": ["202012", "202101", …],           // the x axis, in order (DHIS2 period identifiers)
 *     "series": [ {"name": "陕西省", "values": [12.5, null, …]} ],   // numbers or null (no value),
 *                                                   // as many as there are periods
 *     "target": {"value": 40, "label": "目标：> 40 %（2023-12-31）"} or null,   // dashed horizontal line
 *     "milestones": [ {"period": "2021", "value": 15, "label": "2021年里程碑 ≥15"} ],   // optional markers;
 *                   // period is one of `periods`, or a year / quarter whose last month (or quarter) is
 *     "trajectory": {"name": "推算轨迹", "values": […]} or null   // optional dashed grey line, same length
 *   }
 *
 * Values are JSON numbers: the Python side converts its Decimal values to float for display only (nothing
 * computed here is ever stored or judged). null is a gap and is never bridged.
 *
 * "line" is a full chart (legend, tooltip with the unit, target line, milestones, trajectory); "spark" is a
 * tiny line without axes or legend (about 120 × 32 px, sized by yangfan.css), with the target line if any.
 * A "line" element with data-size="small" is one of a grid of small multiples (the dashboard's 走势): the
 * same chart without its legend, with tighter margins and the target's value as the line's label. Any chart
 * element with data-href opens that address when clicked (the map opens its regions' own "url").
 * Both use the canvas renderer and a tooltip drawn on the canvas (renderMode "richText"), so nothing sets
 * inline style attributes that the CSP would refuse. Charts follow the window's size.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", system-ui, sans-serif';
  var COLORS = ["#0b5cad", "#e07b00", "#1e6b2c", "#8e44ad", "#b42318", "#00838f", "#5d6b7a"];
  var TARGET_COLOR = "#b42318";
  var MILESTONE_COLOR = "#a15c00";
  var TRAJECTORY_COLOR = "#8a94a3";
  var charts = [];

  function language() {
    var lang = (document.documentElement.lang || "zh-hans").toLowerCase();
    return lang.indexOf("zh") === 0 ? "ZH" : "EN";
  }

  function format(value, unit) {
    if (value === null || value === undefined || value === "-" || isNaN(value)) {
      return "—";
    }
    var text = Number(value).toLocaleString(language() === "ZH" ? "zh-CN" : "en", {
      maximumFractionDigits: 2,
    });
    return unit ? text + " " + unit : text;
  }

  function finite(values) {
    return (values || []).filter(function (v) {
      return typeof v === "number" && isFinite(v);
    });
  }

  /* Where on the x axis a milestone sits: its own period, or the last month / quarter of its year or
     quarter that is on the axis. */
  function milestonePeriod(period, periods) {
    period = String(period);
    if (periods.indexOf(period) >= 0) {
      return period;
    }
    var candidates = [];
    var quarter = /^(\d{4})Q([1-4])$/.exec(period);
    if (/^\d{4}$/.test(period)) {
      candidates = [period + "12", period + "Q4"];
    } else if (quarter) {
      var month = Number(quarter[2]) * 3;
      candidates = [quarter[1] + (month < 10 ? "0" : "") + month];
    }
    for (var i = 0; i < candidates.length; i++) {
      if (periods.indexOf(candidates[i]) >= 0) {
        return candidates[i];
      }
    }
    return null;
  }

  /* A round number at or above x (1, 2, 2.5, 5 × 10^n), so an axis stretched to show the target ends
     on a readable tick. */
  function niceCeil(x) {
    if (x <= 0) {
      return 0;
    }
    var magnitude = Math.pow(10, Math.floor(Math.log10(x)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * magnitude >= x) {
        return steps[i] * magnitude;
      }
    }
    return 10 * magnitude;
  }

  /* The chart's own series carry no target or milestones: ECharts leaves markLine and markPoint values out
     of the axis range, so the range is stretched to them here. */
  function extraValues(data) {
    var extra = [];
    if (data.target && typeof data.target.value === "number") {
      extra.push(data.target.value);
    }
    (data.milestones || []).forEach(function (m) {
      if (typeof m.value === "number") {
        extra.push(m.value);
      }
    });
    return extra;
  }

  /* withLabel: true for the target's label, "value" for its bare value (small charts), false for none. */
  function targetLine(data, withLabel) {
    if (!data.target || typeof data.target.value !== "number") {
      return undefined;
    }
    var text = withLabel === "value" ? format(data.target.value, data.unit) : data.target.label || "";
    return {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dashed", color: TARGET_COLOR, width: withLabel ? 1.5 : 1 },
      label: withLabel
        ? { show: true, position: "insideEndTop", color: TARGET_COLOR, formatter: text }
        : { show: false },
      emphasis: { disabled: true },
      data: [{ yAxis: data.target.value }],
    };
  }

  function milestoneMarks(data) {
    var periods = data.periods || [];
    var points = [];
    (data.milestones || []).forEach(function (m) {
      var at = milestonePeriod(m.period, periods);
      if (at !== null && typeof m.value === "number") {
        // labels of markers in the last part of the axis go to their left, so the chart's edge keeps them
        var late = periods.indexOf(at) > (periods.length - 1) * 0.7;
        points.push({
          name: m.label || "",
          coord: [at, m.value],
          value: m.value,
          label: {
            show: true,
            position: late ? "left" : "right",
            formatter: m.label || format(m.value, data.unit),
          },
        });
      }
    });
    if (!points.length) {
      return undefined;
    }
    return {
      symbol: "diamond",
      symbolSize: 10,
      itemStyle: { color: MILESTONE_COLOR },
      label: { color: MILESTONE_COLOR, fontSize: 11, textBorderColor: "#fff", textBorderWidth: 2 },
      data: points,
    };
  }

  function lineOption(data, small) {
    var unit = data.unit || "";
    var series = (data.series || []).map(function (s, i) {
      return {
        name: s.name,
        type: "line",
        data: s.values,
        connectNulls: false,
        showSymbol: true,
        symbolSize: 5,
        color: COLORS[i % COLORS.length],
      };
    });
    if (data.trajectory && data.trajectory.values) {
      series.push({
        name: data.trajectory.name,
        type: "line",
        data: data.trajectory.values,
        connectNulls: false,
        showSymbol: false,
        color: TRAJECTORY_COLOR,
        lineStyle: { type: "dashed", color: TRAJECTORY_COLOR },
      });
    }
    // the target and the milestones ride on a series of their own, so they show with no data at all
    series.push({
      name: "",
      type: "line",
      data: [],
      silent: true,
      tooltip: { show: false },
      markLine: targetLine(data, small ? "value" : true),
      markPoint: milestoneMarks(data),
    });
    var extra = extraValues(data);
    return {
      textStyle: { fontFamily: FONT },
      animation: false,
      color: COLORS,
      legend: {
        show: !small,
        top: 0,
        type: "scroll",
        data: series
          .filter(function (s) {
            return s.name;
          })
          .map(function (s) {
            return s.name;
          }),
        textStyle: { fontFamily: FONT },
      },
      grid: small
        ? { left: 16, right: 18, top: 18, bottom: 4, containLabel: true }
        : { left: 12, right: 24, top: 40, bottom: 8, containLabel: true },
      // a small chart with no value at all says so, rather than showing bare axes
      graphic:
        small && !(data.series || []).some(function (s) { return finite(s.values).length; })
          ? [{ type: "text", left: "center", top: "middle", silent: true,
               style: { text: language() === "ZH" ? "暂无数据" : "No data", fill: "#8a94a3", fontFamily: FONT } }]
          : [],
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        confine: true,
        textStyle: { fontFamily: FONT },
        valueFormatter: function (value) {
          return format(value, unit);
        },
      },
      xAxis: { type: "category", data: data.periods || [], boundaryGap: false },
      yAxis: {
        type: "value",
        name: small ? "" : unit, // a small chart's caption carries the unit
        nameTextStyle: { fontFamily: FONT },
        // null leaves ECharts its own range; with no value at all (NaN) the target alone sets it
        max: function (range) {
          var known = finite([range.max].concat(extra));
          var top = known.length ? Math.max.apply(null, known) : NaN;
          return top > range.max || (isNaN(range.max) && top > 0) ? niceCeil(top * 1.05) : null;
        },
        min: function (range) {
          var known = finite([range.min].concat(extra));
          var bottom = known.length ? Math.min.apply(null, known) : NaN;
          if (bottom < 0 && !(bottom >= range.min)) {
            return -niceCeil(-bottom * 1.05);
          }
          return isNaN(range.min) && known.length ? 0 : null;
        },
        axisLabel: {
          formatter: function (value) {
            return format(value, "");
          },
        },
      },
      series: series,
    };
  }

  function sparkOption(data) {
    var values = (data.series && data.series[0] && data.series[0].values) || [];
    var known = finite(values).concat(extraValues({ target: data.target }));
    var low = known.length ? Math.min.apply(null, known) : 0;
    var high = known.length ? Math.max.apply(null, known) : 1;
    var pad = (high - low) * 0.1 || Math.abs(high) * 0.1 || 1;
    // a point with no neighbour would draw nothing as a line: mark it, and the latest value, with a dot
    var points = values.map(function (v, i) {
      var alone = (i === 0 || values[i - 1] === null) && (i === values.length - 1 || values[i + 1] === null);
      var latest = v !== null && finite(values.slice(i + 1)).length === 0;
      return v !== null && (alone || latest) ? { value: v, symbol: "circle", symbolSize: 4 } : v;
    });
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      grid: { left: 3, right: 3, top: 3, bottom: 3 },
      xAxis: { type: "category", show: false, boundaryGap: false, data: data.periods || [] },
      yAxis: { type: "value", show: false, min: low - pad, max: high + pad },
      series: [
        {
          type: "line",
          data: points,
          silent: true,
          symbol: "none",
          connectNulls: false,
          color: COLORS[0],
          lineStyle: { width: 1.5, color: COLORS[0] },
          markLine: targetLine(data, false),
        },
      ],
    };
  }

  /* "map": the Shaanxi map by city (vendor/echarts-china-provinces/shanxi1.js registers it as "陕西"), each
     city coloured by its status against its target:
       { "map": "陕西", "unit": "%", "title": "A1 5G个人用户普及率",
         "regions": [ {"name": "西安市", "value": 55.4, "status": "achieved", "label": "已达标", "url": "/orgunits/610100/"} ] }
     Clicking a city opens its "url" (on the dashboard: the city's own dashboard). */
  var STATUS_COLORS = {
    achieved: "#3a9a4f", on_track: "#4b8fd6", at_risk: "#e0a526", off_track: "#d9534f",
    missed: "#9b1c1c", unknown: "#c9ced6", no_target: "#c9ced6"
  };

  function mapOption(data) {
    return {
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (params) {
          var region = params.data || {};
          return params.name + "\n" + format(region.value, data.unit) + (region.label ? "  " + region.label : "");
        }
      },
      series: [{
        type: "map",
        map: data.map,
        roam: false,
        zoom: 1.2,
        selectedMode: false,
        label: { show: true, fontSize: 12, fontFamily: FONT, color: "#1f2933", textBorderColor: "#fff", textBorderWidth: 2 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffe08a" } },
        data: (data.regions || []).map(function (r) {
          return {
            name: r.name, value: r.value, label: r.label, url: r.url,
            itemStyle: { areaColor: STATUS_COLORS[r.status] || STATUS_COLORS.unknown }
          };
        })
      }]
    };
  }

  var OPTIONS = { line: lineOption, spark: sparkOption, map: mapOption };

  function render(element) {
    var kind = element.getAttribute("data-chart");
    if (!OPTIONS[kind] || echarts.getInstanceByDom(element)) {
      return;
    }
    var source = document.getElementById(element.getAttribute("data-source") || "");
    if (!source) {
      console.error("charts.js: no data element #" + element.getAttribute("data-source"));
      return;
    }
    var chart = echarts.init(element, null, { renderer: "canvas", locale: language() });
    chart.setOption(OPTIONS[kind](JSON.parse(source.textContent), element.getAttribute("data-size") === "small"));
    if (kind === "map") {
      chart.on("click", function (params) {
        if (params.data && params.data.url) {
          window.location.href = params.data.url;
        }
      });
    }
    var href = element.getAttribute("data-href");
    if (href) {
      // anywhere on the canvas, not only on a point of the line: the whole chart is the link
      chart.getZr().on("click", function () {
        window.location.href = href;
      });
    }
    charts.push(chart);
  }

  function renderAll(root) {
    if (typeof echarts === "undefined") {
      console.error("charts.js: ECharts is not loaded (vendor/echarts/echarts.min.js must come first)");
      return;
    }
    var elements = (root || document).querySelectorAll('[data-chart="line"], [data-chart="spark"], [data-chart="map"]');
    Array.prototype.forEach.call(elements, render);
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) {
      return;
    }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (chart) {
        if (!chart.isDisposed()) {
          chart.resize();
        }
      });
    });
  });

  window.YangfanCharts = { renderAll: renderAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      renderAll(document);
    });
  } else {
    renderAll(document);
  }
})();
