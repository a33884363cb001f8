// The "Print" button of a page to print: the browser's own print dialog, WeChat's included.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
