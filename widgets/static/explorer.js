(function(){
var root=document.getElementById(%(uid)s);if(!root||root.getAttribute("data-xp-ready"))return;
root.setAttribute("data-xp-ready","1");
var data=JSON.parse(root.querySelector("script.xp-data").textContent);
var compute=(%(compute)s);
var out=root.querySelector(".xp-result"),err=root.querySelector(".xp-error"),status=root.querySelector(".xp-status"),now=root.querySelector(".xp-now");
function values(){var v={};root.querySelectorAll("input").forEach(function(el){var name=el.getAttribute("data-name")||el.name;
 if(el.type==="radio"){if(el.checked)v[name]=el.value;}
 else if(el.type==="checkbox"){v[name]=v[name]||[];if(el.checked)v[name].push(el.value);}
 else if(el.type==="number"){v[name]=el.value.trim()===""?NaN:Number(el.value);}});
 root.querySelectorAll("output[data-complement-of]").forEach(function(o){var p=v[o.getAttribute("data-complement-of")];
  v[o.getAttribute("data-name")]=1-p;o.textContent=(typeof p==="number"&&!isNaN(p))?(1-p).toFixed(2):"–";});return v;}
function mark(field,message){root.querySelectorAll("[aria-invalid]").forEach(function(el){el.removeAttribute("aria-invalid");el.removeAttribute("aria-describedby");});
 root.querySelectorAll(".xp-field-error").forEach(function(el){el.remove();});
 if(!field)return;var el=root.querySelector('input[data-name="'+field.replace(/["\\]/g,"\\$&")+'"]');if(!el)return;
 var note=document.createElement("span");note.className="xp-field-error";note.id=el.id+"-error";note.textContent=message;
 el.setAttribute("aria-invalid","true");el.setAttribute("aria-describedby",note.id);(el.closest("label")||el).insertAdjacentElement("afterend",note);}
function update(){var r;try{r=compute(values(),data,root);}catch(e){r={error:"Could not compute: "+e.message};}
 if(r.error){err.textContent=r.error;err.hidden=false;out.hidden=true;out.innerHTML="";status.textContent=r.error;}
 else{err.hidden=true;err.textContent="";out.hidden=false;if(r.html!==undefined)out.innerHTML=r.html;status.textContent=r.status||"";}
 mark(r.error&&r.field,r.error);if(now){now.textContent=r.error?"Check the highlighted field: "+r.error:(r.status||"");now.hidden=!now.textContent;now.classList.toggle("xp-now-error",!!r.error);}
 root.setAttribute("data-xp-state",r.error?"error":"ok");}
root.querySelectorAll("button[data-xp-set]").forEach(function(b){b.addEventListener("click",function(){
 var on=b.getAttribute("data-xp-set")==="all";root.querySelectorAll("input[type=checkbox]").forEach(function(c){c.checked=on;});update();});});
root.addEventListener("input",update);root.addEventListener("change",update);update();})();
