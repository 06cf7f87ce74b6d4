(function(){
var root=document.getElementById(%(uid)s);if(!root||root.getAttribute("data-xp-ready"))return;
root.setAttribute("data-xp-ready","1");
var data=JSON.parse(root.querySelector("script.xp-data").textContent);
var compute=(%(compute)s);
var out=root.querySelector(".xp-result"),err=root.querySelector(".xp-error"),status=root.querySelector(".xp-status");
function values(){var v={};root.querySelectorAll("input").forEach(function(el){var name=el.getAttribute("data-name")||el.name;
 if(el.type==="radio"){if(el.checked)v[name]=el.value;}
 else if(el.type==="checkbox"){v[name]=v[name]||[];if(el.checked)v[name].push(el.value);}
 else if(el.type==="number"){v[name]=el.value.trim()===""?NaN:Number(el.value);}});return v;}
function update(){var r;try{r=compute(values(),data,root);}catch(e){r={error:"Could not compute: "+e.message};}
 if(r.error){err.textContent=r.error;err.hidden=false;out.hidden=true;out.innerHTML="";status.textContent=r.error;}
 else{err.hidden=true;err.textContent="";out.hidden=false;if(r.html!==undefined)out.innerHTML=r.html;status.textContent=r.status||"";}
 root.setAttribute("data-xp-state",r.error?"error":"ok");}
root.querySelectorAll("button[data-xp-set]").forEach(function(b){b.addEventListener("click",function(){
 var on=b.getAttribute("data-xp-set")==="all";root.querySelectorAll("input[type=checkbox]").forEach(function(c){c.checked=on;});update();});});
root.addEventListener("input",update);root.addEventListener("change",update);update();})();
