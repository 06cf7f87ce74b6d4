function (v, d) {
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c];});}
function pct(x){return (100*x).toFixed(1)+"%";}
function num(x,where,field){if(typeof x!=="number"||isNaN(x))throw {xp:where+": enter a number between 0 and 1",field:field};
 if(x<0||x>1)throw {xp:where+": probability "+x+" is outside [0, 1]",field:field};return x;}
var sp={},i,j;
try{
 for(i=0;i<d.nodes.length;i++){var n=d.nodes[i],tot=0;sp[n.id]={};
  for(j=0;j<n.states.length;j++){var s=n.states[j];
   var p=num(v["p:"+n.id+":"+s.id],"“"+n.label+"”, state “"+s.label+"”","p:"+n.id+":"+n.states[n.states.length===2?0:j].id);sp[n.id][s.id]=p;tot+=p;}
  if(Math.abs(tot-1)>d.tolerance)throw {xp:"“"+n.label+"”: the probabilities of its states sum to "+(+tot.toPrecision(6))+", not 1",field:"p:"+n.id+":"+n.states[n.states.length-1].id};}
 var rows=[],total=0,cur=null;
 for(i=0;i<d.branches.length;i++){var b=d.branches[i],pb=1,match=true;
  for(var k in b.when){pb*=sp[k][b.when[k]];if(v["s:"+k]!==b.when[k])match=false;}
  var pw=num(v["w:"+b.id],"P(renewed war | "+b.id+")","w:"+b.id);
  rows.push({b:b,pb:pb,pw:pw,c:pb*pw});if(match)cur=b;}
}catch(e){if(e&&e.xp)return {error:e.xp,field:e.field};throw e;}
rows.forEach(function(r){total+=r.c;});
var h="";
if(cur){var states=cur.label;
 h+='<div class="xp-branch" data-branch="'+esc(cur.id)+'" data-verdict="'+esc(cur.verdict)+'">'+
 '<p><strong>'+esc(states)+'</strong>: the essay’s verdict is <span class="xp-verdict">'+esc(cur.verdict_label)+'</span> <small>('+esc(cur.basis_label)+')</small></p>'+
 '<blockquote>“'+esc(cur.quote)+'” '+cur.cite+'</blockquote>'+
 '<p>'+esc(cur.reasoning)+'</p>'+
 '<p><strong>What happened</strong> ('+esc(cur.observed_label)+'): '+esc(cur.observed_note)+' '+cur.observed_cite+'</p></div>';}
h+='<p class="xp-total" data-value="'+total+'"><strong>Probability of renewed war: '+pct(total)+'</strong> <small>(with the probabilities above; the defaults are the book’s reading of the essay, not the essay’s numbers)</small></p>';
var sorted=rows.slice().sort(function(a,b){return b.c-a.c;});
h+='<table><caption class="xp-sr">Which branches carry the probability of renewed war</caption><thead><tr><th scope="col">Branch</th><th scope="col">P(branch)</th><th scope="col">P(war | branch)</th><th scope="col">Share of P(war)</th><th scope="col">Essay’s verdict</th></tr></thead><tbody>';
sorted.forEach(function(r){h+='<tr data-branch="'+esc(r.b.id)+'" data-contribution="'+r.c+'"'+(cur&&r.b.id===cur.id?' class="xp-current"':'')+'><th scope="row">'+esc(r.b.label)+'</th><td class="num">'+pct(r.pb)+'</td><td class="num">'+pct(r.pw)+'</td><td class="num">'+(total>0?pct(r.c/total):"–")+'</td><td>'+esc(r.b.verdict_label)+'</td></tr>';});
h+='</tbody></table>';
return {html:h,status:(cur?cur.label+": the essay’s verdict is "+cur.verdict_label+". ":"")+"Probability of renewed war "+pct(total)+"."};
}