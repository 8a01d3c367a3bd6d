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
    canvas.dataset.paintedWidth = String(cssWidth);
    resized.observe(canvas);
    if (canvas.dataset.findTags && !canvas.dataset.tagsFound) {
      canvas.dataset.tagsFound = "true";
      reportTags(canvas, page, natural);
    }
  } catch (error) {
    canvas.dataset.rendered = "error";
    const note = document.createElement("p");
    note.className = "page-error";
    note.textContent = "This page could not be shown. Reload the page to try again.";
    canvas.after(note);
    console.error("pdf page", error);
  }
}

// {{SignerN}} tags on a page, in PDF points of the page as displayed
// (rotation applied), reported to the editor as one "pdf-tags" event.
const TAG = /\{\{\s*signer(\d+)\s*\}\}/gi;
async function reportTags(canvas, page, natural) {
  try {
    const text = await page.getTextContent();
    const found = [];
    for (const item of text.items) {
      if (!item.str || !item.transform) continue;
      for (const match of item.str.matchAll(TAG)) {
        const share = item.str.length ? match.index / item.str.length : 0;
        const x = item.transform[4] + item.width * share;
        const y = item.transform[5];
        const w = item.width * (match[0].length / Math.max(item.str.length, 1));
        const h = item.height || Math.abs(item.transform[3]) || 10;
        const [x1, y1] = natural.convertToViewportPoint(x, y);
        const [x2, y2] = natural.convertToViewportPoint(x + w, y + h);
        found.push({
          url: canvas.dataset.pdf, page: Number(canvas.dataset.page), signer: Number(match[1]),
          left: Math.min(x1, x2), top: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1),
        });
      }
    }
    if (found.length) window.dispatchEvent(new CustomEvent("pdf-tags", { detail: JSON.stringify(found) }));
  } catch (error) {
    console.warn("pdf tags", error);
  }
}

// A page drawn small and then zoomed in is drawn again, sharp.
const resized = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const canvas = entry.target;
    const painted = Number(canvas.dataset.paintedWidth || 0);
    if (canvas.dataset.rendered === "true" && canvas.clientWidth > painted * 1.2) {
      resized.unobserve(canvas);
      paint(canvas);
    }
  }
});

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
