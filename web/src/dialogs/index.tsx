// Dialogs. Props contract: every dialog gets { onClose: () => void }; ChannelSettingsDialog also { channelId: ID }.
// The workspace opens them with store.openDialog({kind: …}) and renders the one in store.get().dialog:
//   "create-channel" → CreateChannelDialog, "browse-channels" → BrowseChannelsDialog, "new-dm" → NewDMDialog,
//   "switcher" → QuickSwitcher (Ctrl/Cmd+K), "status" → StatusMenu, "channel-settings" → ChannelSettingsDialog.
// Each renders its own modal frame (kit.tsx Dialog: focus trap, Escape, focus return, aria-modal).
export { CreateChannelDialog } from "./CreateChannel";
export { BrowseChannelsDialog } from "./BrowseChannels";
export { NewDMDialog } from "./NewDM";
export { QuickSwitcher } from "./QuickSwitcher";
export { StatusMenu } from "./StatusMenu";
export { ChannelSettingsDialog } from "./ChannelSettings";
