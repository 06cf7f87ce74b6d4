function (v, d) {
var key = v.sigma + "|" + v.monitoring + "|" + v.threshold, r = d.results[key];
if (!r) return {error: "No precomputed result for the setting " + key + "."};
var h = r.html.replace(/@P(\d+)@/g, function (m, i) { return d.parts[+i]; })
 .replace(/@C:([^@]+)@/g, function (m, k) { return d.curves[k]; });
return {html: h, status: r.status};
}