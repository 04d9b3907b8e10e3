// "Show where": the top class's heatmap (class activation map) over each
// result's picture and over the camera view, in the turbo colour scale of
// src/js/colormap.js, with a legend. The map's 13 × 13 cells are scaled up
// smoothly by the canvas (bilinear) onto the rectangle of the picture the
// network saw (`heatmap.region`). Each overlay is a small canvas with the
// picture's aspect ratio laid over it with the same CSS `object-fit`, so it
// is cropped and scaled exactly as the picture is.
import { heatmapPixels, turbo } from './src/js/colormap.js';

const OVERLAY_SIDE = 320; // the overlay canvas's longer side: smooth when shown, cheap to draw every camera frame

const cellCanvases = new Map(); // "WxH" → a canvas of one pixel per cell, reused

function cellCanvas(width, height) {
  const key = `${width}x${height}`;
  if (!cellCanvases.has(key)) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    cellCanvases.set(key, canvas);
  }
  return cellCanvases.get(key);
}

/** Draws `heatmap` on `canvas` as it lies over a picture of pictureWidth × pictureHeight. */
export function drawOverlay(canvas, heatmap, pictureWidth, pictureHeight) {
  const scale = OVERLAY_SIDE / Math.max(pictureWidth, pictureHeight);
  const width = Math.max(1, Math.round(pictureWidth * scale));
  const height = Math.max(1, Math.round(pictureHeight * scale));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const cells = cellCanvas(heatmap.width, heatmap.height);
  cells.getContext('2d').putImageData(
    new ImageData(heatmapPixels(heatmap), heatmap.width, heatmap.height), 0, 0);
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  const sx = width / pictureWidth, sy = height / pictureHeight;
  const { region } = heatmap;
  context.drawImage(cells, region.x * sx, region.y * sy, region.width * sx, region.height * sy);
}

function drawLegend(canvas) {
  const context = canvas.getContext('2d');
  for (let x = 0; x < canvas.width; x++) {
    const [r, g, b] = turbo(x / (canvas.width - 1));
    context.fillStyle = `rgb(${r} ${g} ${b})`;
    context.fillRect(x, 0, 1, canvas.height);
  }
}

/**
 * Wires the switch: `ui` holds the switch (a checkbox with role="switch"),
 * the legend's canvas and the camera's overlay canvas. Overlays show while
 * document.body.dataset.heatmaps is "on" (web/app.css).
 */
export function setupHeatmaps({ toggle, legendCanvas, cameraCanvas }) {
  drawLegend(legendCanvas);
  const apply = () => {
    document.body.dataset.heatmaps = toggle.checked ? 'on' : 'off';
    if (toggle.checked) return;
    cameraCanvas.getContext('2d').clearRect(0, 0, cameraCanvas.width, cameraCanvas.height); // no stale frame when on again
    cameraCanvas.dataset.drawn = '0';
  };
  toggle.addEventListener('change', apply);
  apply();
  return {
    /** Whether overlays are shown (the camera asks for heatmaps only then). */
    get on() { return toggle.checked; },

    /** Draws the top prediction's heatmap over a result card's picture (shown while the switch is on). */
    async showOnCard(card, prediction) {
      const img = card.querySelector('.thumb img');
      const canvas = card.querySelector('.thumb canvas.heatmap');
      if (!prediction?.heatmap || !img || !canvas) return;
      try { await img.decode(); } catch { return; } // no preview: nothing to lay it over
      drawOverlay(canvas, prediction.heatmap, img.naturalWidth, img.naturalHeight);
      canvas.setAttribute('aria-label', `Where it saw ${prediction.label}: the warmer the colour, the more it counted`);
      card.dataset.heatmap = 'drawn';
    },

    /** Draws a camera frame's top heatmap over the video, or clears it when there is none. */
    showOnCamera(video, prediction) {
      if (!toggle.checked || !prediction?.heatmap || !video.videoWidth) return;
      drawOverlay(cameraCanvas, prediction.heatmap, video.videoWidth, video.videoHeight);
      cameraCanvas.setAttribute('aria-label', `Where it sees ${prediction.label}`);
      cameraCanvas.dataset.drawn = String(Number(cameraCanvas.dataset.drawn || 0) + 1);
    },
  };
}
