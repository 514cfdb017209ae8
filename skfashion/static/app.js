// The page of `skfashion serve`: pictures in, readings of POST /api/predict out.
"use strict";

const $ = (id) => document.getElementById(id);

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

async function loadModels() {
  try {
    const response = await fetch("/api/models");
    const models = await response.json();
    const select = $("model");
    select.textContent = "";
    for (const model of models) {
      const label = `${model.name}: ${model.intended_use}`;
      select.append(element("option", { value: model.name }, label));
    }
  } catch (error) {
    $("status").textContent = `could not list the models: ${error}`;
  }
}

function drawBoxes(container, reading) {
  const [width, height] = reading.size;
  for (const item of reading.items) {
    if (!item.box) continue;
    const [x0, y0, x1, y1] = item.box;
    const box = element("div", { class: "box", "data-class": item.class });
    box.style.left = `${(100 * x0) / width}%`;
    box.style.top = `${(100 * y0) / height}%`;
    box.style.width = `${(100 * (x1 - x0)) / width}%`;
    box.style.height = `${(100 * (y1 - y0)) / height}%`;
    box.append(element("span", {}, `${item.class} ${item.score.toFixed(2)}`));
    container.append(box);
  }
}

function how(reading) {
  const words = { item: "as one item", canvas: "as a canvas, cell by cell",
                  "items anywhere": "as items anywhere" };
  const read = words[reading.read_as] || "not read";
  return reading.note ? `read ${read}: ${reading.note}` : `read ${read}`;
}

function showReading(reading, file) {
  const card = element("article", { class: "reading", "data-path": reading.path });
  card.append(element("h2", {}, reading.path));
  if (reading.error) {
    card.classList.add("error");
    card.append(element("p", { class: "message" }, reading.error));
    return card;
  }
  const picture = element("div", { class: "picture" });
  const image = element("img", { alt: reading.path });
  image.src = URL.createObjectURL(file);
  picture.append(image);
  drawBoxes(picture, reading);
  card.append(picture);
  const best = reading.items.length ? Math.max(...reading.items.map((i) => i.score)) : 0;
  card.append(element("p", { class: "how" },
    `${how(reading)}; ${reading.items.length} item(s), best score ${best.toFixed(2)}`));
  const table = element("table");
  const head = element("tr");
  for (const name of ["class", "score", "where"]) head.append(element("th", {}, name));
  table.append(head);
  for (const item of reading.items) {
    const row = element("tr", { class: "item", "data-class": item.class });
    const where = item.box ? `box ${item.box.join(", ")}` :
      (item.cell !== undefined ? `cell ${item.cell}` : "the picture");
    row.append(element("td", {}, item.class), element("td", {}, item.score.toFixed(4)),
               element("td", {}, where));
    table.append(row);
  }
  card.append(table);
  const json = new Blob([JSON.stringify(reading, null, 2)], { type: "application/json" });
  const link = element("a", { class: "json", download: `${reading.path}.json` }, "download JSON");
  link.href = URL.createObjectURL(json);
  card.append(link);
  return card;
}

async function readPictures(files) {
  files = [...files].filter((file) => file && file.size !== undefined);
  if (!files.length) return;
  const body = new FormData();
  for (const file of files) body.append("files", file, file.name || "pasted.png");
  body.append("model", $("model").value);
  $("status").textContent = `reading ${files.length} picture(s)...`;
  let readings;
  try {
    const response = await fetch("/api/predict", { method: "POST", body });
    readings = await response.json();
    if (!Array.isArray(readings)) {
      readings = files.map((file) => ({ path: file.name, error: readings.error }));
    }
  } catch (error) {
    $("status").textContent = `the server did not answer: ${error}`;
    return;
  }
  const results = $("results");
  readings.forEach((reading, i) => results.prepend(showReading(reading, files[i])));
  $("status").textContent = `read ${readings.length} picture(s)`;
  document.body.dataset.read = String(Number(document.body.dataset.read || 0) + readings.length);
}

function setUp() {
  const drop = $("drop");
  $("files").addEventListener("change", (event) => readPictures(event.target.files));
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    readPictures(event.dataTransfer.files);
  });
  document.addEventListener("paste", (event) => {
    const files = [...event.clipboardData.items]
      .filter((item) => item.kind === "file").map((item) => item.getAsFile());
    readPictures(files);
  });
  loadModels();
}

document.addEventListener("DOMContentLoaded", setUp);
