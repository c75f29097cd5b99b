"""Questions for clinicians: how one is asked, where it stands, and how readers find answers."""
