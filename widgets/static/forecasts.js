function (v, d, root) {
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c];});}
function cell(cls,x){return '<td class="num '+cls+'" data-value="'+String(x)+'">'+x.toFixed(3)+'</td>';}
// The outcomes stay out of the visible page until the reader presses the button (data-fs-scored on the root). The
// button is the explorer's action "score" (ForecastScorer.page_options); the runtime's own click handler only
// re-runs this function, which has no checkboxes to tick.
if(!root.getAttribute("data-fs-bound")){root.setAttribute("data-fs-bound","1");
 var btn=root.querySelector('button[data-xp-set="score"]');
 if(btn)btn.addEventListener("click",function(){root.setAttribute("data-fs-scored","1");btn.disabled=true;
  root.querySelector("input").dispatchEvent(new Event("input",{bubbles:true}));
  var t=root.querySelector(".xp-result table");if(t){t.setAttribute("tabindex","-1");t.focus();}});}
var scored=root.getAttribute("data-fs-scored")==="1";
var rows=[],sb=0,sl=0;
for(var i=0;i<d.forecasts.length;i++){var f=d.forecasts[i],p=v[f.id];
 if(typeof p!=="number"||isNaN(p))return {error:'Forecast "'+f.label+'": probability is not a number; enter a value between 0 and 1.'};
 if(!(p>=0&&p<=1))return {error:'Forecast "'+f.label+'": probability '+p+' is outside [0, 1].'};
 if(!scored){rows.push('<tr data-forecast="'+esc(f.id)+'"><th scope="row">'+esc(f.label)+'</th><td class="num">'+
  f.essay.toFixed(2)+'</td><td class="num">'+esc(p)+'</td></tr>');continue;}
 var b=(p-f.outcome)*(p-f.outcome),q=Math.min(Math.max(p,d.clip),1-d.clip),l=-Math.log(f.outcome===1?q:1-q);
 sb+=b;sl+=l;rows.push('<tr data-forecast="'+esc(f.id)+'"><th scope="row">'+esc(f.label)+'</th><td class="num">'+
  f.essay.toFixed(2)+'</td><td class="num">'+esc(p)+'</td><td>'+(f.outcome?"yes":"no")+'</td>'+cell("cf-fs-b",b)+cell("cf-fs-l",l)+'</tr>');}
if(!scored)return {html:'<table><caption>'+esc(d.caption_before)+'</caption><thead><tr><th scope="col">Forecast</th>'+
 '<th scope="col">Essay</th><th scope="col">You</th></tr></thead><tbody>'+rows.join("")+'</tbody></table>',status:d.status_before};
var n=d.forecasts.length,mb=sb/n,ml=sl/n;
function ref(name,s){return '<tr><th scope="row" colspan="4">'+name+'</th>'+cell("",s.brier)+cell("",s.log)+'</tr>';}
return {html:'<table><caption>'+esc(d.caption)+'</caption><thead><tr><th scope="col">Forecast</th><th scope="col">Essay</th>'+
 '<th scope="col">You</th><th scope="col">Happened</th><th scope="col">Brier</th><th scope="col">Log</th></tr></thead><tbody>'+
 rows.join("")+'</tbody><tfoot><tr><th scope="row" colspan="4">Your mean score</th>'+cell("cf-fs-brier",mb)+cell("cf-fs-log",ml)+
 '</tr>'+ref(d.essay_label,d.essay)+ref(d.baseline_label,d.baseline)+'</tfoot></table>',
 status:"Your mean Brier score "+mb.toFixed(3)+", mean log score "+ml.toFixed(3)+" (lower is better)."};
}
