export interface ConfirmDialogProps {
  readonly title: string;
  readonly detail: string;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** The confirm step before a fault: what will happen, in words, and a way out. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <div className="backdrop" onClick={props.onCancel}>
      <div
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        className="dialog"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === "Escape") props.onCancel();
        }}
      >
        <h2>{props.title}</h2>
        <p>{props.detail}</p>
        <div className="dialog-buttons">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className={props.danger === true ? "danger" : "primary"}
            onClick={props.onConfirm}
            autoFocus
          >
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
