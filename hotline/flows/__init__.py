"""Flow scripts: the model of the YAML files, their loading and checking, and the Script."""
from hotline.flows.loader import load_script
from hotline.flows.model import MenuItem, Node, Referral, Source
from hotline.flows.script import Place, Script

__all__ = ["load_script", "Script", "Place", "Node", "MenuItem", "Referral", "Source"]
