// app.js
(function () {
  "use strict";
  var links = document.querySelectorAll("a");   /* every link */
  for (var i = 0; i < links.length; i++) {
    links[i].title = `link ${ i + 1 }`;
  }
})();
