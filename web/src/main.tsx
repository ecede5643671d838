import { render } from "preact";
import { App } from "./app";
import { readBoot } from "./lib/boot";
import { applyTheme } from "./lib/theme";
import { store } from "./lib/store";
import "./styles/app.css";
import { setupEmoji } from "./lib/emojiImages";

setupEmoji(); // before the first render: emoji as text or as images
const boot = readBoot();
if (boot.workspace) store.setWorkspace(boot.workspace);
applyTheme({ primary: boot.workspace?.primary_color, accent: boot.workspace?.accent_color }, store.get().theme);
render(<App boot={boot} />, document.getElementById("app")!);
