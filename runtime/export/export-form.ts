/** What an export is for: the edge (an ES module folder) or a container platform (plus server, Dockerfile, manifests, handler). */
export type ExportForm = "edge" | "container";
