function (v, d, root) {
var a={},t={},n=0,items=root.querySelectorAll("li[data-event]");
(v.actor||[]).forEach(function(x){a[x]=1;});(v.type||[]).forEach(function(x){t[x]=1;});
items.forEach(function(li){var who=JSON.parse(li.getAttribute("data-actors"));
 var show=!!t[li.getAttribute("data-type")]&&who.some(function(x){return a[x];});li.hidden=!show;if(show)n++;});
root.querySelector(".cf-tl-empty").hidden=n>0;
return {status:"Showing "+n+" of "+items.length+" events"};
}
