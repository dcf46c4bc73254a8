/* The one-line embed: <script src="http://HOST/widget.js" data-title="Help" data-color="#3b5bdb"
   data-position="right" data-greeting="Hi!" data-user-id="..."></script>
   Adds a floating chat bubble that opens the compact chat (HOST/widget) in an iframe. Every data-*
   value is treated as text: it reaches the chat as a URL parameter and is shown with textContent. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__crsWidgetLoaded) return;
  window.__crsWidgetLoaded = true;
  var base = new URL(script.src, window.location.href).origin;
  var d = script.dataset;
  var color = /^#[0-9a-fA-F]{3,8}$/.test(d.color || "") ? d.color : "#3b5bdb";
  var side = d.position === "left" ? "left" : "right";
  var title = (d.title || "Chat").slice(0, 80);
  var params = new URLSearchParams();
  params.set("title", title);
  params.set("color", color);
  if (d.greeting) params.set("greeting", d.greeting.slice(0, 300));
  if (d.userId) params.set("user_id", d.userId.slice(0, 128));

  var style = document.createElement("style");
  style.textContent =
    "#crs-widget-bubble{position:fixed;bottom:20px;" + side + ":20px;width:56px;height:56px;border-radius:50%;" +
    "border:0;display:flex;align-items:center;justify-content:center;cursor:pointer;z-index:2147483000;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    "#crs-widget-bubble:focus-visible{outline:3px solid #111;outline-offset:3px}" +
    "#crs-widget-frame{position:fixed;bottom:88px;" + side + ":20px;width:380px;height:600px;" +
    "max-height:calc(100vh - 110px);border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);" +
    "z-index:2147483000;background:#fff;display:none}" +
    "@media (max-width:480px){#crs-widget-frame{top:0;left:0;right:0;bottom:0;width:100vw;height:100vh;" +
    "max-height:none;border-radius:0}#crs-widget-bubble[aria-expanded=true]{display:none}}";
  document.head.appendChild(style);

  var bubble = document.createElement("button");
  bubble.type = "button";
  bubble.id = "crs-widget-bubble";
  bubble.style.background = color;
  bubble.setAttribute("aria-label", "Open chat: " + title);
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "crs-widget-frame");
  var SVG = "http://www.w3.org/2000/svg";
  function icon(d) {  // a chat balloon or a cross, drawn: no emoji font needed
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "26");
    svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "#fff");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }
  var CHAT = "M4 5h16v11H9l-5 4z";
  var CROSS = "M6 6l12 12M18 6L6 18";
  bubble.appendChild(icon(CHAT));

  var frame = document.createElement("iframe");
  frame.id = "crs-widget-frame";
  frame.title = title;
  frame.setAttribute("allow", "clipboard-write");

  function setOpen(open) {
    if (open && !frame.src) frame.src = base + "/widget?" + params.toString();
    frame.style.display = open ? "block" : "none";
    bubble.setAttribute("aria-expanded", open ? "true" : "false");
    bubble.setAttribute("aria-label", (open ? "Close chat: " : "Open chat: ") + title);
    bubble.replaceChildren(icon(open ? CROSS : CHAT));
    if (open) frame.focus(); else bubble.focus();
  }
  bubble.addEventListener("click", function () { setOpen(frame.style.display !== "block"); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && frame.style.display === "block") setOpen(false);
  });
  window.addEventListener("message", function (e) {
    if (e.origin === base && e.data === "crs-close") setOpen(false);
  });
  document.body.appendChild(frame);
  document.body.appendChild(bubble);
})();
