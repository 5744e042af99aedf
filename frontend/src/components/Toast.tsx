import { X } from "lucide-react";
import { useEffect } from "react";

import { useEditor } from "../editor/context";

/** The editor's passing messages: a refused connection, a saved version, a failed request. */
export function Toast() {
  const notice = useEditor((state) => state.notice);
  const dismiss = useEditor((state) => state.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(dismiss, notice.tone === "error" ? 7000 : 3500);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  if (!notice) return null;
  return (
    <div className={`toast ${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"} data-testid="toast">
      <span>{notice.text}</span>
      <button type="button" className="icon-button" onClick={dismiss} title="Dismiss" aria-label="Dismiss">
        <X size={14} />
      </button>
    </div>
  );
}
