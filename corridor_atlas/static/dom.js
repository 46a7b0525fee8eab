/* DOM helpers shared by atlas.js and compare.js: the only ways text from data reaches a page.
 * Text goes in through textContent; escapeHtml() is for the few Leaflet APIs that insist on
 * an HTML string; links are made only from http(s) URLs.
 */
window.AtlasDom = (function () {
  "use strict";

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(String(url)) ? String(url) : null;
  }

  function link(url, text) {
    var href = safeUrl(url);
    if (!href) return el("span", null, text);
    var a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  return { escapeHtml: escapeHtml, el: el, safeUrl: safeUrl, link: link };
})();
