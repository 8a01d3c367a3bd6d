// Draws PDF pages into <canvas data-pdf="url" data-page="n"> elements with
// pdf.js (installed from npm by the build into /pdfjs/). The request editor
// renders the canvases and the fields on top; this only paints the pages.
// pdf.js is loaded on first use, so other pages do not pay for it.

const documents = new Map();
let pdfjs = null;

async function library() {
  if (!pdfjs) {
    pdfjs = import("/pdfjs/pdf.min.mjs").then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = "/pdfjs/pdf.worker.min.mjs";
      return lib;
    });
  }
  return pdfjs;
}

function load(url) {
  if (!documents.has(url)) {
    documents.set(url, library().then((lib) => lib.getDocument({ url, withCredentials: true, isEvalSupported: false }).promise));
  }
  return documents.get(url);
}

async function paint(canvas) {
  canvas.dataset.rendered = "pending";
  try {
    const doc = await load(canvas.dataset.pdf);
    const page = await doc.getPage(Number(canvas.dataset.page));
    const natural = page.getViewport({ scale: 1 });
    const cssWidth = canvas.clientWidth || natural.width;
    const scale = (cssWidth / natural.width) * (window.devicePixelRatio || 1);
    const viewport = page.getViewport({ scale });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
    canvas.dataset.rendered = "true";
  } catch (error) {
    canvas.dataset.rendered = "error";
    const note = document.createElement("p");
    note.className = "page-error";
    note.textContent = "This page could not be shown. Reload the page to try again.";
    canvas.after(note);
    console.error("pdf page", error);
  }
}

function scan(root) {
  const canvases = root.querySelectorAll ? root.querySelectorAll("canvas[data-pdf]:not([data-rendered])") : [];
  canvases.forEach((canvas) => paint(canvas));
}

new MutationObserver((changes) => {
  for (const change of changes) {
    change.addedNodes.forEach((node) => {
      if (node.nodeType === 1) {
        if (node.matches("canvas[data-pdf]:not([data-rendered])")) paint(node);
        else scan(node);
      }
    });
  }
}).observe(document.documentElement, { childList: true, subtree: true });

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => scan(document));
} else {
  scan(document);
}
