from . import ar_dunning_letter
